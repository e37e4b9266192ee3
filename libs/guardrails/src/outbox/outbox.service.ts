import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type OutboxKind } from '@opscrew/contracts';
import { type Clock, systemClock } from '@opscrew/messaging';
import { type NotifierPort, type TrackerPort } from '@opscrew/ports';
import { randomUUID } from 'node:crypto';
import { type KV } from 'nats';
import { kvOutboxBucket, type OutboxBucket } from './outbox-bucket';
import { OutboxClaims } from './outbox-claims';
import { checkTicketRef, type Item } from './outbox-item';
import { recordFromCommand } from './outbox-item.factory';
import { itemKey, RATE_KEYS } from './outbox-keys';
import { checkOptions, type OutboxOptions } from './outbox-options';
import { OutboxSettlement } from './outbox-settlement';
import { OutboxAdmin } from './outbox.admin';
import { type EnqueueResult, type OutboxCommand, type OutboxDepthEntry } from './outbox.commands';
import { OutboxStore } from './outbox.store';
import { OutboxSweeper } from './outbox.sweeper';
import { OutboxWorker } from './outbox.worker';
import { NotificationLane } from './notification.lane';
import { RateWindow } from './rate-window';
import { StormFolder } from './storm.folder';
import { TrackerLane } from './tracker.lane';

export interface OutboxDependencies {
  /** Preferred: `await openOutboxBucket(bus)` — lists keys through stream info, never hangs. */
  readonly bucket?: OutboxBucket;
  /**
   * Alternative: the raw `outbox` KV (`KvFactory.raw(KV_BUCKETS.outbox)`), wrapped with
   * kvOutboxBucket (kv.keys() under a time limit). One of `bucket` / `kv` is required.
   */
  readonly kv?: KV;
  readonly tracker: TrackerPort;
  readonly notifier: NotifierPort;
  readonly options: OutboxOptions;
  /**
   * Where the poll and claim-renewal intervals are registered: the app's (OutboxModule injects
   * it); a private registry when absent (tests, tools).
   */
  readonly scheduler?: SchedulerRegistry;
  readonly clock?: Clock;
  /** [0, 1) source for backoff jitter; injectable for tests. */
  readonly random?: () => number;
}

/**
 * The outbox: every outbound side effect is an item in the `outbox` KV bucket, written BEFORE
 * any attempt and keyed by its idempotency key, then delivered by a worker:
 *
 * - exactly once: an item is claimed by CAS before sending, the claim renewed while its delivery
 *   runs and released on shutdown (OutboxClaims); a ticket creation first looks its idempotency
 *   key up in the tracker, so a retry after a timeout never opens a second ticket (TrackerLane);
 * - retried with capped exponential backoff and jitter, never before the vendor's Retry-After;
 *   a non-retryable failure parks the item as `failed` with its reason (OutboxSettlement);
 * - rate-limited from persisted delivery timestamps: over the limit items are `held`, and when
 *   the notification window allows, ONE summary lists everything held (StormFolder).
 *
 * This class is the front: enqueue, the worker's lifecycle and the admin queries, unchanged for
 * callers; the units above do the work (docs/architecture.md, "The outbox through its units").
 */
export class OutboxService implements OnApplicationShutdown {
  private readonly store: OutboxStore;
  private readonly worker: OutboxWorker;
  private readonly admin: OutboxAdmin;
  private readonly trackerLane: TrackerLane;
  private readonly notificationLane: NotificationLane;
  private readonly clock: Clock;
  private orderCounter = 0;

  constructor(deps: OutboxDependencies) {
    checkOptions(deps.options);
    const options = deps.options;
    const logger = new Logger(OutboxService.name);
    this.clock = deps.clock ?? systemClock;
    const workerId = options.worker_id ?? `outbox-${randomUUID().slice(0, 8)}`;
    if (deps.bucket === undefined && deps.kv === undefined) {
      throw new Error('outbox: needs the outbox bucket (`bucket` or `kv`)');
    }
    const scheduler = deps.scheduler ?? new SchedulerRegistry();
    this.store = new OutboxStore(deps.bucket ?? kvOutboxBucket(deps.kv as KV), logger);
    const claims = new OutboxClaims(this.store, scheduler, this.clock, options, workerId, logger);
    const settlement = new OutboxSettlement(
      this.store,
      claims,
      this.clock,
      options,
      deps.random ?? Math.random,
      logger,
    );
    const ticketWindow = new RateWindow(
      this.store.windows,
      RATE_KEYS.ticketCreates,
      options.ticket_creates_per_window,
      options.ticket_window_ms,
    );
    const notifyWindow = new RateWindow(
      this.store.windows,
      RATE_KEYS.notifications,
      options.notifications_per_window,
      options.notification_window_ms,
    );
    const stopping = (): boolean => this.worker.isStopping();
    this.trackerLane = new TrackerLane(
      this.store,
      claims,
      settlement,
      ticketWindow,
      deps.tracker,
      this.clock,
      logger,
      stopping,
    );
    const folder = new StormFolder(
      this.store,
      claims,
      settlement,
      notifyWindow,
      this.clock,
      options,
      logger,
      stopping,
    );
    this.notificationLane = new NotificationLane(
      this.store,
      claims,
      settlement,
      folder,
      new OutboxSweeper(this.store, options.retention_ms),
      notifyWindow,
      deps.notifier,
      this.clock,
      stopping,
    );
    this.worker = new OutboxWorker(
      this.store,
      claims,
      this.trackerLane,
      this.notificationLane,
      scheduler,
      options,
      logger,
    );
    this.admin = new OutboxAdmin(this.store, this.clock, (kind) => this.worker.kickLane(kind));
  }

  /** Persists a side effect (before any attempt) and kicks the worker. Same idempotency key twice: a no-op. */
  async enqueue(command: OutboxCommand): Promise<EnqueueResult> {
    const now = this.clock.now();
    this.orderCounter = (this.orderCounter + 1) % 1000;
    const record = recordFromCommand(command, now, now * 1000 + this.orderCounter);
    if (record.ticket !== undefined) checkTicketRef(record);
    const key = itemKey(record.kind, record.idempotency_key);
    const revision = await this.store.create(key, record);
    if (revision === null) {
      const existing = await this.store.get(key);
      return { key, created: false, state: existing?.value.state ?? 'delivered' };
    }
    this.worker.kickLane(record.kind);
    return { key, created: true, state: 'pending' };
  }

  /** Starts the worker: a pass every poll interval, plus one on every enqueue. */
  start(): void {
    this.worker.start();
  }

  /**
   * Stops the worker: no new item is picked, deliveries in flight get `shutdown_grace_ms` to be
   * recorded, then every claim this worker still holds is released, so another instance takes
   * those items over at once instead of after `claim_ttl_ms`. A delivery still running after the
   * grace is abandoned (its late result is not written) and its item released like the rest —
   * the same hand-over a crash gets after one TTL, only sooner. Idempotent.
   */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** Nest calls this on app shutdown (a lifecycle that also calls stop() gets the same promise). */
  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /**
   * Stops at once, as a crash would: in-flight deliveries are abandoned, claims are neither
   * renewed nor released, and nothing more is written (the claims lapse within claim_ttl_ms
   * and another worker takes the items over). For crash tests.
   */
  halt(): void {
    this.worker.halt();
  }

  /** Runs both lanes once and waits (tests drive the worker this way with a fake clock). */
  async tick(): Promise<void> {
    await Promise.all([this.trackerLane.pass(), this.notificationLane.pass()]);
  }

  /** Items by kind and state, for /metrics (delivered and folded ones are kept for retention_ms). */
  depth(): Promise<OutboxDepthEntry[]> {
    return this.admin.depth();
  }

  /** Every item with its key (atlas shows failed and held ones). */
  list(): Promise<Item[]> {
    return this.admin.list();
  }

  /** The item for a kind and idempotency key, if still kept. */
  get(kind: OutboxKind, idempotencyKey: string): Promise<Item | null> {
    return this.admin.get(kind, idempotencyKey);
  }

  /** The tracker key of a delivered ticket creation, once known. */
  ticketKeyFor(idempotencyKey: string): Promise<string | null> {
    return this.admin.ticketKeyFor(idempotencyKey);
  }

  /** Puts a failed item back in the queue (an operator fixed the cause). */
  retry(key: string): Promise<boolean> {
    return this.admin.retry(key);
  }
}
