import { Logger } from '@nestjs/common';
import {
  type OutboxItemRecord,
  OutboxItemRecord as OutboxItemRecordClass,
  type OutboxKind,
  OutboxRateWindowRecord,
  type OutboxState,
} from '@opscrew/contracts';
import { DeliveryError, type NotifierPort, type TrackerPort } from '@opscrew/integrations';
import {
  type Clock,
  KvCorruptValueError,
  type KvItem,
  systemClock,
  TypedKv,
} from '@opscrew/messaging';
import { randomUUID } from 'node:crypto';
import { type KV } from 'nats';
import { isAmbiguous, isRetryable, retryDelayMs } from './outbox-backoff';
import { kvOutboxBucket, type OutboxBucket } from './outbox-bucket';
import {
  draftOf,
  notificationOf,
  recordFromCommand,
  storedNotification,
} from './outbox-item.factory';
import { ITEM_PREFIX, itemKey, RATE_KEYS, SUMMARY_KEY_PREFIX } from './outbox-keys';
import { type OutboxOptions, checkOptions } from './outbox-options';
import { type EnqueueResult, type OutboxCommand, type OutboxDepthEntry } from './outbox.commands';
import { RateWindow } from './rate-window';
import { buildStormSummary } from './storm-summary.builder';
import { WorkerLane } from './worker-lane';

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
  readonly clock?: Clock;
  /** [0, 1) source for backoff jitter; injectable for tests. */
  readonly random?: () => number;
}

type Item = KvItem<OutboxItemRecord>;

/** Item gets in flight at once during a scan: enough to hide KV latency, far below NATS' limits. */
const SCAN_CONCURRENCY = 32;
/** Outcome of an item's delivery attempt, for ordering the steps of one ticket. */
type StepOutcome = 'done' | 'waiting';

/** Thrown on a write after halt(): a halted worker behaves like a dead process. */
class OutboxHaltedError extends Error {
  override readonly name = 'OutboxHaltedError';
}

/**
 * The outbox: every outbound side effect is an item in the `outbox` KV bucket,
 * written BEFORE any attempt and keyed by its idempotency key, then delivered
 * by a worker:
 *
 * - exactly once: an item is claimed by CAS on its revision before sending
 *   (two replicas never send one item), a crashed claim expires and is taken
 *   over, and a ticket creation first looks its idempotency key up in the
 *   tracker, so a retry after a timeout never opens a second ticket;
 * - retried with capped exponential backoff and jitter, never before the
 *   vendor's Retry-After; a non-retryable failure parks the item as `failed`
 *   with its reason (visible in depth() and logged at error);
 * - rate-limited from persisted delivery timestamps (ticket creations per
 *   hour, notifications per minute): over the limit items are `held`, and when
 *   the notification window allows, ONE summary notification lists everything
 *   held (alerts and unopened tickets) instead of the storm.
 */
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);
  private readonly items: TypedKv<OutboxItemRecord>;
  private readonly ticketWindow: RateWindow;
  private readonly notifyWindow: RateWindow;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly options: OutboxOptions;
  private readonly workerId: string;
  private readonly bucket: OutboxBucket;
  private readonly trackerLane: WorkerLane;
  private readonly notifyLane: WorkerLane;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private halted = false;
  private orderCounter = 0;

  constructor(private readonly deps: OutboxDependencies) {
    checkOptions(deps.options);
    this.options = deps.options;
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.workerId = deps.options.worker_id ?? `outbox-${randomUUID().slice(0, 8)}`;
    if (deps.bucket === undefined && deps.kv === undefined) {
      throw new Error('outbox: needs the outbox bucket (`bucket` or `kv`)');
    }
    this.bucket = deps.bucket ?? kvOutboxBucket(deps.kv as KV);
    this.items = new TypedKv(this.bucket.kv, 'outbox', { class: OutboxItemRecordClass });
    const windows = new TypedKv(this.bucket.kv, 'outbox', { class: OutboxRateWindowRecord });
    this.ticketWindow = new RateWindow(
      windows,
      RATE_KEYS.ticketCreates,
      deps.options.ticket_creates_per_window,
      deps.options.ticket_window_ms,
    );
    this.notifyWindow = new RateWindow(
      windows,
      RATE_KEYS.notifications,
      deps.options.notifications_per_window,
      deps.options.notification_window_ms,
    );
    const onError = (err: unknown): void => {
      if (err instanceof OutboxHaltedError) return;
      this.logger.error(`outbox pass failed: ${describe(err)}`);
    };
    const active = (): boolean => this.started && !this.halted;
    this.trackerLane = new WorkerLane(() => this.trackerPass(), onError, active);
    this.notifyLane = new WorkerLane(() => this.notifyPass(), onError, active);
  }

  /** Persists a side effect (before any attempt) and kicks the worker. Same idempotency key twice: a no-op. */
  async enqueue(command: OutboxCommand): Promise<EnqueueResult> {
    const now = this.clock.now();
    this.orderCounter = (this.orderCounter + 1) % 1000;
    const record = recordFromCommand(command, now, now * 1000 + this.orderCounter);
    if (record.ticket !== undefined) checkTicketRef(record);
    const key = itemKey(record.kind, record.idempotency_key);
    const revision = await this.items.create(key, record);
    if (revision === null) {
      const existing = await this.items.get(key);
      return { key, created: false, state: existing?.value.state ?? 'delivered' };
    }
    this.kickLane(record.kind);
    return { key, created: true, state: 'pending' };
  }

  /** Starts the worker: a pass every poll interval, plus one on every enqueue. */
  start(): void {
    if (this.started || this.halted) return;
    this.started = true;
    this.timer = setInterval(() => this.kick(), this.options.poll_interval_ms);
    // The worker must not keep a CLI or a test process alive on its own.
    this.timer.unref();
    this.kick();
  }

  /** Stops the worker and waits for in-flight deliveries to be recorded. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    // A halted worker abandoned its in-flight calls: there is nothing to wait for.
    if (this.halted) return;
    await Promise.all([this.trackerLane.idle(), this.notifyLane.idle()]);
  }

  /**
   * Stops at once, as a crash would: in-flight deliveries are abandoned and
   * nothing more is written (their claims expire and another worker takes the
   * items over). For crash tests and for a shutdown that cannot wait.
   */
  halt(): void {
    this.halted = true;
    this.started = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs both lanes once and waits (tests drive the worker this way with a fake clock). */
  async tick(): Promise<void> {
    await Promise.all([this.trackerPass(), this.notifyPass()]);
  }

  /** Items by kind and state, for /metrics (delivered and folded ones are kept for retention_ms). */
  async depth(): Promise<OutboxDepthEntry[]> {
    const counts = new Map<string, OutboxDepthEntry>();
    for (const item of await this.scan()) {
      const id = `${item.value.kind}|${item.value.state}`;
      const previous = counts.get(id);
      counts.set(id, {
        kind: item.value.kind,
        state: item.value.state,
        count: (previous?.count ?? 0) + 1,
      });
    }
    return [...counts.values()].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.state.localeCompare(b.state),
    );
  }

  /** Every item with its key (atlas shows failed and held ones). */
  async list(): Promise<Item[]> {
    return (await this.scan()).sort(byOrder);
  }

  /** The item for a kind and idempotency key, if still kept. */
  async get(kind: OutboxKind, idempotencyKey: string): Promise<Item | null> {
    const key = itemKey(kind, idempotencyKey);
    const entry = await this.items.get(key);
    return entry === null ? null : { key, ...entry };
  }

  /** The tracker key of a delivered ticket creation, once known. */
  async ticketKeyFor(idempotencyKey: string): Promise<string | null> {
    const item = await this.get('ticket.create', idempotencyKey);
    return item?.value.state === 'delivered' ? (item.value.result_ref ?? null) : null;
  }

  /** Puts a failed item back in the queue (an operator fixed the cause). */
  async retry(key: string): Promise<boolean> {
    const entry = await this.items.get(key);
    if (entry === null || entry.value.state !== 'failed') return false;
    const now = this.iso(this.clock.now());
    const next: OutboxItemRecord = {
      ...entry.value,
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      updated_at: now,
    };
    const written = (await this.items.update(key, next, entry.revision)) !== null;
    if (written) this.kickLane(entry.value.kind);
    return written;
  }

  private kick(): void {
    this.trackerLane.kick();
    this.notifyLane.kick();
  }

  private kickLane(kind: OutboxKind): void {
    if (kind === 'notify') this.notifyLane.kick();
    else this.trackerLane.kick();
  }

  // ── tracker lane ──────────────────────────────────────────────────────────

  private async trackerPass(): Promise<void> {
    const now = this.clock.now();
    const all = await this.scan();
    const byKey = new Map(all.map((item) => [item.key, item]));
    const candidates = all
      .filter((i) => i.value.kind !== 'notify' && isActive(i.value.state))
      .sort(byOrder);
    // Steps of one ticket go in enqueue order: a waiting step blocks the later ones.
    const blocked = new Set<string>();
    for (const item of candidates) {
      if (this.halted) return;
      if (item.value.kind === 'ticket.create') {
        if (isDue(item.value, now)) await this.deliverCreate(item);
        continue;
      }
      const ref = ticketRefId(item.value);
      if (blocked.has(ref)) continue;
      if (!isDue(item.value, now) || (await this.deliverStep(item, byKey)) === 'waiting') {
        blocked.add(ref);
      }
    }
  }

  private async deliverCreate(item: Item): Promise<void> {
    const claimed = await this.claim(item);
    if (claimed === null) return;
    const draft = draftOf(requireField(claimed.value.ticket_draft, claimed.key, 'ticket_draft'));
    let reserved = false;
    try {
      // Out of budget: hold at once, without a request (a storm must not cost one lookup per item).
      if (!(await this.ticketWindow.peek(this.clock.now())).ok) {
        await this.hold(claimed, 'ticket creation rate limit reached');
        return;
      }
      // A previous attempt may have created it (timeout after success), or the item was
      // re-enqueued after its retention: look first.
      const existing = await this.deps.tracker.findByIdempotencyKey(draft.idempotency_key);
      if (existing !== null) {
        await this.markDelivered(claimed, existing.key);
        return;
      }
      const slot = await this.ticketWindow.reserve(claimed.key, this.clock.now());
      if (!slot.ok) {
        await this.hold(claimed, 'ticket creation rate limit reached');
        return;
      }
      reserved = true;
      const ticket = await this.deps.tracker.create(draft);
      await this.markDelivered(claimed, ticket.key);
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      // A definite refusal did not create anything: give the slot back.
      if (reserved && !isAmbiguous(err)) await this.ticketWindow.release(claimed.key);
      await this.retryOrFail(claimed, err, true);
    }
  }

  private async deliverStep(item: Item, byKey: ReadonlyMap<string, Item>): Promise<StepOutcome> {
    const value = item.value;
    const ref = requireField(value.ticket, item.key, 'ticket');
    let ticketKey = ref.key;
    if (ticketKey === undefined && ref.idempotency_key !== undefined) {
      const creation = byKey.get(itemKey('ticket.create', ref.idempotency_key));
      switch (creation?.value.state) {
        case undefined:
          break; // Not outboxed here (or swept): the tracker lookup below decides.
        case 'delivered':
          ticketKey = creation.value.result_ref;
          break;
        case 'folded':
          // The ticket was never opened (rate limit): its steps go with it into the summary's record.
          await this.settle(item, 'folded', {
            ...(creation.value.folded_into === undefined
              ? {}
              : { folded_into: creation.value.folded_into }),
            last_error: 'ticket never opened (rate limit); incident listed in a storm summary',
          });
          return 'done';
        case 'failed':
          await this.settle(item, 'failed', {
            last_error: `ticket creation failed: ${creation.value.last_error ?? 'unknown'}`,
          });
          this.logger.error(
            `outbox: ${value.kind} ${value.idempotency_key} failed: its ticket was never created`,
          );
          return 'done';
        default:
          return 'waiting'; // The creation is still on its way.
      }
    }
    const claimed = await this.claim(item);
    if (claimed === null) return 'waiting';
    try {
      if (ticketKey === undefined) {
        const idem = ref.idempotency_key ?? '';
        const found = await this.deps.tracker.findByIdempotencyKey(idem);
        if (found === null)
          throw new DeliveryError(`no ticket exists for idempotency key ${idem}`, false);
        ticketKey = found.key;
      }
      const options = { idempotency_key: value.idempotency_key };
      if (value.kind === 'ticket.transition') {
        const to = requireField(value.to_status, item.key, 'to_status');
        await this.deps.tracker.transition(ticketKey, to, value.comment, options);
      } else {
        await this.deps.tracker.comment(
          ticketKey,
          requireField(value.comment, item.key, 'comment'),
          options,
        );
      }
      await this.markDelivered(claimed, ticketKey);
      return 'done';
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      return (await this.retryOrFail(claimed, err, false)) === 'failed' ? 'done' : 'waiting';
    }
  }

  // ── notification lane ─────────────────────────────────────────────────────

  private async notifyPass(): Promise<void> {
    // A fold creates a summary that is due at once: deliver it in the same pass.
    for (let round = 0; round < 2; round++) {
      await this.deliverNotifications(this.clock.now());
      if (!(await this.fold())) return;
    }
  }

  private async deliverNotifications(now: number): Promise<void> {
    const all = await this.scan();
    await this.recoverSummaries(all, now);
    await this.sweep(all, now);
    // Summaries first: they must not lose their slot to a newer single alert.
    const candidates = all
      .filter(
        (i) =>
          i.value.kind === 'notify' && (i.value.state === 'pending' || i.value.state === 'sending'),
      )
      .sort(
        (a, b) =>
          Number(isPage(b.value)) - Number(isPage(a.value)) ||
          Number(isSummary(b.value)) - Number(isSummary(a.value)) ||
          byOrder(a, b),
      );
    // While alerts are held, new ones join them: they go out in the next summary, in order.
    let holding = all.some((i) => i.value.kind === 'notify' && i.value.state === 'held');
    for (const item of candidates) {
      if (this.halted) return;
      if (!isDue(item.value, now)) continue;
      const summary = isSummary(item.value);
      // A page wakes a human: it is never held or folded by our own alert budget
      // (the vendor's 429s still apply through retries).
      const page = isPage(item.value);
      if (holding && !summary && !page && item.value.state === 'pending') {
        await this.settle(item, 'held', { held_at: this.iso(now) });
        continue;
      }
      const claimed = await this.claim(item);
      if (claimed === null) continue;
      const slot = page
        ? { ok: true as const }
        : await this.notifyWindow.reserve(claimed.key, this.clock.now());
      if (!slot.ok) {
        if (summary) {
          await this.unclaim(claimed, slot.free_at);
        } else {
          await this.hold(claimed, 'notification rate limit reached');
          holding = true;
        }
        continue;
      }
      try {
        const notification = notificationOf(
          requireField(claimed.value.notification, claimed.key, 'notification'),
        );
        await this.deps.notifier.send(notification);
        await this.markDelivered(claimed);
      } catch (err: unknown) {
        if (err instanceof OutboxHaltedError) throw err;
        if (!page && !isAmbiguous(err)) await this.notifyWindow.release(claimed.key);
        await this.retryOrFail(claimed, err, false);
      }
    }
  }

  /**
   * Folds everything held into ONE summary notification once the notification
   * window has room. A lone held alert (and no held ticket) is simply released
   * to go out as itself. Each held item is moved by CAS, so two replicas never
   * fold one item twice; the summary is written first (`assembling`) so a
   * crash in between is finished by whoever sees its claim expire.
   */
  private async fold(): Promise<boolean> {
    if (this.halted) return false;
    const now = this.clock.now();
    const all = await this.scan();
    // One summary per notification window: what is held meanwhile waits for the next one.
    if (all.some((i) => isSummary(i.value) && this.summaryIsRecent(i.value, now))) return false;
    const held = all
      .filter(
        (i) =>
          i.value.state === 'held' &&
          (i.value.kind === 'notify' || i.value.kind === 'ticket.create'),
      )
      .sort(byOrder);
    if (held.length === 0) return false;
    if (!(await this.notifyWindow.peek(now)).ok) return false;
    const only = held[0];
    if (held.length === 1 && only !== undefined && only.value.kind === 'notify') {
      await this.settle(only, 'pending', { next_attempt_at: this.iso(now) });
      return true;
    }
    const idempotencyKey = `${SUMMARY_KEY_PREFIX}${randomUUID()}`;
    const key = itemKey('notify', idempotencyKey);
    const at = this.iso(now);
    const placeholder: OutboxItemRecord = {
      kind: 'notify',
      state: 'assembling',
      idempotency_key: idempotencyKey,
      created_at: at,
      updated_at: at,
      order: now * 1000,
      attempts: 0,
      next_attempt_at: at,
      claimed_by: this.workerId,
      claim_expires_at: this.iso(now + this.options.claim_ttl_ms),
      folded_count: 0,
      notification: {
        idempotency_key: idempotencyKey,
        kind: 'summary',
        severity: 'info',
        title: 'storm summary (assembling)',
        text: '',
        fields: [],
      },
    };
    const created = await this.write(() => this.items.create(key, placeholder));
    if (created === null) return false;
    const folded: OutboxItemRecord[] = [];
    for (const item of held) {
      const next: OutboxItemRecord = {
        ...item.value,
        state: 'folded',
        folded_into: key,
        updated_at: at,
      };
      if ((await this.write(() => this.items.update(item.key, next, item.revision))) !== null) {
        folded.push(next);
      }
    }
    if (folded.length === 0) {
      await this.write(() => this.bucket.forget(key, created));
      return false;
    }
    await this.completeSummary({ key, value: placeholder, revision: created }, folded, now);
    this.logger.warn(
      `rate limit: ${folded.length} held item(s) folded into one summary notification (${key})`,
    );
    return true;
  }

  private summaryIsRecent(value: OutboxItemRecord, now: number): boolean {
    if (value.state === 'delivered') {
      return (
        now - Date.parse(value.delivered_at ?? value.updated_at) <
        this.options.notification_window_ms
      );
    }
    return value.state === 'pending' || value.state === 'sending' || value.state === 'assembling';
  }

  private async completeSummary(
    summary: Item,
    folded: readonly OutboxItemRecord[],
    now: number,
  ): Promise<void> {
    const notification = buildStormSummary(
      summary.value.idempotency_key,
      folded,
      this.options,
      this.options.summary_max_lines,
    );
    const at = this.iso(now);
    const next: OutboxItemRecord = withoutClaim({
      ...summary.value,
      state: 'pending',
      notification: storedNotification(notification),
      folded_count: folded.length,
      next_attempt_at: at,
      updated_at: at,
    });
    await this.write(() => this.items.update(summary.key, next, summary.revision));
  }

  /** A summary whose assembler died: finish it from the items folded into it (or drop it if none). */
  private async recoverSummaries(all: readonly Item[], now: number): Promise<void> {
    for (const summary of all) {
      if (summary.value.state !== 'assembling' || !claimExpired(summary.value, now)) continue;
      const folded = all.filter(
        (i) =>
          i.value.folded_into === summary.key &&
          i.value.kind !== 'ticket.transition' &&
          i.value.kind !== 'ticket.comment',
      );
      if (folded.length === 0) {
        await this.write(() => this.bucket.forget(summary.key, summary.revision));
        continue;
      }
      this.logger.warn(`completing storm summary ${summary.key} left by a crashed worker`);
      await this.completeSummary(
        summary,
        folded.map((i) => i.value),
        now,
      );
    }
  }

  /** Forgets delivered and folded items after retention_ms (failed ones stay until an operator acts). */
  private async sweep(all: readonly Item[], now: number): Promise<void> {
    for (const item of all) {
      const { state, updated_at } = item.value;
      if (
        (state === 'delivered' || state === 'folded') &&
        now - Date.parse(updated_at) > this.options.retention_ms
      ) {
        await this.write(() => this.bucket.forget(item.key, item.revision));
      }
    }
  }

  // ── item state changes (all by CAS on the revision read) ─────────────────

  /** pending (due) or sending (claim expired) → sending, owned by this worker. */
  private async claim(item: Item): Promise<Item | null> {
    const now = this.clock.now();
    if (item.value.state === 'sending') {
      this.logger.warn(
        `taking over ${item.value.kind} ${item.value.idempotency_key}: claim of ${item.value.claimed_by ?? '?'} expired`,
      );
    }
    const next: OutboxItemRecord = {
      ...item.value,
      state: 'sending',
      attempts: item.value.attempts + 1,
      claimed_by: this.workerId,
      claim_expires_at: this.iso(now + this.options.claim_ttl_ms),
      updated_at: this.iso(now),
    };
    const revision = await this.write(() => this.items.update(item.key, next, item.revision));
    return revision === null ? null : { key: item.key, value: next, revision };
  }

  private async markDelivered(claimed: Item, result?: string): Promise<void> {
    const now = this.iso(this.clock.now());
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'delivered',
      delivered_at: now,
      updated_at: now,
      ...(result === undefined ? {} : { result_ref: result }),
    });
    delete next.last_error;
    const revision = await this.write(() => this.items.update(claimed.key, next, claimed.revision));
    if (revision === null) {
      this.logger.warn(
        `${claimed.value.kind} ${claimed.value.idempotency_key} was delivered but its claim had been taken ` +
          `over (claim_ttl_ms too short for this delivery?)`,
      );
    } else {
      this.logger.debug(
        `delivered ${claimed.value.kind} ${claimed.value.idempotency_key}${result === undefined ? '' : ` → ${result}`}`,
      );
    }
  }

  private async hold(claimed: Item, reason: string): Promise<void> {
    const now = this.iso(this.clock.now());
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'held',
      held_at: now,
      updated_at: now,
      // Nothing was sent: the claim does not count as an attempt.
      attempts: Math.max(0, claimed.value.attempts - 1),
    });
    await this.write(() => this.items.update(claimed.key, next, claimed.revision));
    this.logger.warn(`held ${claimed.value.kind} ${claimed.value.idempotency_key}: ${reason}`);
  }

  /** Back to pending without an attempt counted (a summary waiting for its slot). */
  private async unclaim(claimed: Item, nextAttemptAt: number): Promise<void> {
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'pending',
      attempts: Math.max(0, claimed.value.attempts - 1),
      next_attempt_at: this.iso(nextAttemptAt),
      updated_at: this.iso(this.clock.now()),
    });
    await this.write(() => this.items.update(claimed.key, next, claimed.revision));
  }

  private async retryOrFail(
    claimed: Item,
    err: unknown,
    isCreate: boolean,
  ): Promise<'retry' | 'failed'> {
    const now = this.clock.now();
    const message = describe(err).slice(0, 1900);
    const { attempts, kind, idempotency_key } = claimed.value;
    if (!isRetryable(err) || attempts >= this.options.max_attempts) {
      const reason = isRetryable(err) ? `gave up after ${attempts} attempts: ${message}` : message;
      const next: OutboxItemRecord = withoutClaim({
        ...claimed.value,
        state: 'failed',
        last_error: reason,
        updated_at: this.iso(now),
      });
      await this.write(() => this.items.update(claimed.key, next, claimed.revision));
      this.logger.error(
        `outbox: ${kind} ${idempotency_key} FAILED and parked (visible in the outbox): ${reason}`,
      );
      return 'failed';
    }
    const delay = retryDelayMs(
      attempts,
      err,
      {
        backoff: this.options.backoff,
        ...(isCreate ? { ambiguousMinMs: this.options.ambiguous_create_retry_min_ms } : {}),
      },
      this.random,
    );
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'pending',
      last_error: message,
      next_attempt_at: this.iso(now + delay),
      updated_at: this.iso(now),
    });
    await this.write(() => this.items.update(claimed.key, next, claimed.revision));
    this.logger.warn(
      `outbox: ${kind} ${idempotency_key} attempt ${attempts} failed, retry in ${delay} ms: ${message}`,
    );
    return 'retry';
  }

  /** A state change of an unclaimed item (CAS on the revision scanned). */
  private async settle(
    item: Item,
    state: OutboxState,
    extra: Partial<OutboxItemRecord>,
  ): Promise<void> {
    const next: OutboxItemRecord = withoutClaim({
      ...item.value,
      ...extra,
      state,
      updated_at: this.iso(this.clock.now()),
    });
    await this.write(() => this.items.update(item.key, next, item.revision));
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    if (this.halted) throw new OutboxHaltedError('outbox worker halted');
    return run();
  }

  private async scan(): Promise<Item[]> {
    const keys = await this.bucket.listKeys(ITEM_PREFIX);
    const out: Item[] = [];
    for (let i = 0; i < keys.length; i += SCAN_CONCURRENCY) {
      const batch = keys.slice(i, i + SCAN_CONCURRENCY);
      const entries = await Promise.all(
        batch.map(async (key) => {
          try {
            const entry = await this.items.get(key);
            return entry === null ? null : { key, ...entry };
          } catch (err: unknown) {
            if (err instanceof KvCorruptValueError) {
              // Never silently skipped: a corrupt item is an error every pass until fixed.
              this.logger.error(err.message);
              return null;
            }
            throw err;
          }
        }),
      );
      for (const entry of entries) if (entry !== null) out.push(entry);
    }
    return out;
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }
}

function isActive(state: OutboxState): boolean {
  return state === 'pending' || state === 'sending' || state === 'held';
}

function isDue(value: OutboxItemRecord, now: number): boolean {
  if (value.state === 'pending') return Date.parse(value.next_attempt_at) <= now;
  if (value.state === 'sending') return claimExpired(value, now);
  return false;
}

function claimExpired(value: OutboxItemRecord, now: number): boolean {
  return value.claim_expires_at === undefined || Date.parse(value.claim_expires_at) <= now;
}

function isSummary(value: OutboxItemRecord): boolean {
  return value.kind === 'notify' && value.idempotency_key.startsWith(SUMMARY_KEY_PREFIX);
}

function byOrder(a: Item, b: Item): number {
  return a.value.order - b.value.order || a.key.localeCompare(b.key);
}

function ticketRefId(value: OutboxItemRecord): string {
  const ref = value.ticket;
  return ref?.key !== undefined ? `key:${ref.key}` : `idem:${ref?.idempotency_key ?? ''}`;
}

function checkTicketRef(record: OutboxItemRecord): void {
  const ref = record.ticket;
  if (ref === undefined || (ref.key === undefined) === (ref.idempotency_key === undefined)) {
    throw new Error(
      `outbox: ${record.kind} needs exactly one of ticket.key or ticket.idempotency_key`,
    );
  }
}

function withoutClaim(value: OutboxItemRecord): OutboxItemRecord {
  const next = { ...value };
  delete next.claimed_by;
  delete next.claim_expires_at;
  return next;
}

function requireField<T>(value: T | undefined, key: string, field: string): T {
  if (value === undefined) throw new DeliveryError(`outbox item ${key} has no ${field}`, false);
  return value;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An escalation page (L2/L3 mention): sent ahead of alerts and outside the alert budget. */
function isPage(item: OutboxItemRecord): boolean {
  return item.kind === 'notify' && item.notification?.kind === 'escalation';
}
