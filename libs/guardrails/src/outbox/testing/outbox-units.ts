import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type OutboxItemRecord } from '@opscrew/contracts';
import { FakeKv } from '@opscrew/messaging/testing';
import { type Notification, type TicketDraft } from '@opscrew/ports';
import { ManualClock } from '@opscrew/testing';
import { kvOutboxBucket } from '../outbox-bucket';
import { OutboxClaims } from '../outbox-claims';
import { type Item } from '../outbox-item';
import { recordFromCommand } from '../outbox-item.factory';
import { itemKey, RATE_KEYS } from '../outbox-keys';
import { outboxOptions, type OutboxOptions } from '../outbox-options';
import { OutboxSettlement } from '../outbox-settlement';
import { type OutboxCommand } from '../outbox.commands';
import { OutboxStore } from '../outbox.store';
import { RateWindow } from '../rate-window';
import { FakeNotifier, FakeTracker } from './fake-ports';

/** The outbox's lower units over a fake KV and a manual clock, for the specs of each unit. */
export interface OutboxUnits {
  readonly kv: FakeKv;
  readonly clock: ManualClock;
  readonly options: OutboxOptions;
  readonly scheduler: SchedulerRegistry;
  readonly logger: Logger;
  readonly store: OutboxStore;
  readonly claims: OutboxClaims;
  readonly settlement: OutboxSettlement;
  readonly ticketWindow: RateWindow;
  readonly notifyWindow: RateWindow;
  readonly tracker: FakeTracker;
  readonly notifier: FakeNotifier;
  /** Stores a command as enqueue would (without kicking anything) and returns the item. */
  enqueue(command: OutboxCommand): Promise<Item>;
  /** The item as stored now. */
  read(key: string): Promise<OutboxItemRecord | undefined>;
}

export function outboxUnits(overrides: Partial<OutboxOptions> = {}, workerId = 'w1'): OutboxUnits {
  const kv = new FakeKv('outbox');
  const clock = new ManualClock();
  const options = outboxOptions(
    { jira_issues_per_hour: 10, discord_messages_per_minute: 5 },
    {
      backoff: { initial_delay_ms: 1000, max_delay_ms: 60_000 },
      claim_ttl_ms: 30_000,
      ...overrides,
    },
  );
  const scheduler = new SchedulerRegistry();
  const logger = new Logger('OutboxService');
  const store = new OutboxStore(kvOutboxBucket(kv.asKv()), logger);
  const claims = new OutboxClaims(store, scheduler, clock, options, workerId, logger);
  const settlement = new OutboxSettlement(store, claims, clock, options, () => 0.5, logger);
  let order = 0;
  return {
    kv,
    clock,
    options,
    scheduler,
    logger,
    store,
    claims,
    settlement,
    ticketWindow: new RateWindow(
      store.windows,
      RATE_KEYS.ticketCreates,
      options.ticket_creates_per_window,
      options.ticket_window_ms,
    ),
    notifyWindow: new RateWindow(
      store.windows,
      RATE_KEYS.notifications,
      options.notifications_per_window,
      options.notification_window_ms,
    ),
    tracker: new FakeTracker(),
    notifier: new FakeNotifier(),
    async enqueue(command) {
      order += 1;
      const record = recordFromCommand(command, clock.now(), clock.now() * 1000 + order);
      const key = itemKey(record.kind, record.idempotency_key);
      const revision = await store.create(key, record);
      if (revision === null) throw new Error(`outboxUnits: ${key} exists`);
      return { key, value: record, revision };
    },
    async read(key) {
      return (await store.get(key))?.value;
    },
  };
}

export const unitDraft = (n: number, severity: TicketDraft['severity'] = 'high'): TicketDraft => ({
  idempotency_key: `ticket:INC-20250131-${String(n).padStart(3, '0')}`,
  incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
  summary: `Incident ${n} on checkout`,
  sections: [{ label: 'Symptom', text: 'error rate' }],
  labels: ['auto-detected'],
  severity,
  service: 'checkout',
});

export const unitAlert = (n: number, extra: Partial<Notification> = {}): Notification => ({
  idempotency_key: `notify:INC-20250131-${String(n).padStart(3, '0')}:detected`,
  kind: 'incident',
  severity: 'high',
  title: `Incident ${n} on checkout`,
  text: 'error rate above threshold',
  fields: [],
  incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
  ...extra,
});
