import { Global, Module } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { NatsConnectionService } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { kvOutboxBucket } from './outbox-bucket';
import { type OutboxOptions } from './outbox-options';
import { OUTBOX_BUCKET, OUTBOX_OPTIONS, OutboxModule } from './outbox.module';
import { OutboxService } from './outbox.service';
import { FakeNotifier, FakeTracker } from './testing/fake-ports';

const APP_OUTBOX = Symbol('APP_OUTBOX');
const TICKETS = Symbol('TICKETS');

/** Only the slices the outbox reads: a LoadedConfig with anything else would prove nothing. */
const loaded = {
  config: {
    thresholds: {
      guardrails: {
        rate_limits: { jira_issues_per_hour: 7, discord_messages_per_minute: 3 },
        outbox: { claim_ttl_s: 9 },
      },
    },
  },
} as unknown as LoadedConfig;

/** What an agent's app gets from AgentCoreModule: the config and the bus, globally. */
@Global()
@Module({
  providers: [
    { provide: LOADED_CONFIG, useValue: loaded },
    // Never used: the bucket is overridden with a fake one.
    { provide: NatsConnectionService, useValue: {} },
    { provide: TICKETS, useValue: 'tickets-kv' },
  ],
  exports: [LOADED_CONFIG, NatsConnectionService, TICKETS],
})
class FakeAgentCore {}

describe('OutboxModule.forAgent', () => {
  let app: TestingModule;
  const tracker = new FakeTracker();
  const notifier = new FakeNotifier();
  const trackerDeps: unknown[] = [];

  beforeEach(async () => {
    app = await Test.createTestingModule({
      imports: [
        FakeAgentCore,
        ScheduleModule.forRoot(),
        OutboxModule.forAgent('ops-monitor', {
          token: APP_OUTBOX,
          tracker: {
            inject: [TICKETS],
            useFactory: (tickets: string) => {
              trackerDeps.push(tickets);
              return tracker;
            },
          },
          notifier: { useFactory: () => notifier },
          overrides: { poll_interval_ms: 60_000 },
        }),
      ],
    })
      .overrideProvider(OUTBOX_BUCKET)
      .useValue(kvOutboxBucket(new FakeKv('outbox').asKv()))
      .compile();
  });
  afterEach(() => app.close());

  it('provides one outbox under OutboxService and the app token, with options from the config slices', () => {
    const outbox = app.get(OutboxService);
    expect(app.get(APP_OUTBOX)).toBe(outbox);
    const options = app.get<OutboxOptions>(OUTBOX_OPTIONS, { strict: false });
    expect(options).toMatchObject({
      ticket_creates_per_window: 7,
      notifications_per_window: 3,
      claim_ttl_ms: 9000,
      poll_interval_ms: 60_000,
    });
    expect(options.worker_id).toMatch(/^outbox-ops-monitor-[0-9a-f]{8}$/);
    expect(trackerDeps).toEqual(['tickets-kv']);
  });

  it('delivers through the ports the app built, and registers its poll with the app scheduler', async () => {
    const outbox = app.get(OutboxService);
    const scheduler = app.get(SchedulerRegistry);
    outbox.start();
    expect(scheduler.getIntervals().some((name) => name.startsWith('outbox-poll:'))).toBe(true);
    await outbox.enqueue({
      kind: 'notify',
      notification: {
        idempotency_key: 'notify:module-spec',
        kind: 'incident',
        severity: 'high',
        title: 'module spec',
        text: 'delivered through the module',
        fields: [],
      },
    });
    await outbox.tick();
    expect(notifier.sent.map((n) => n.idempotency_key)).toContain('notify:module-spec');
    await app.close();
    expect(scheduler.getIntervals().some((name) => name.startsWith('outbox-poll:'))).toBe(false);
  });
});
