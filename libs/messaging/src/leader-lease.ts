// Over ~300 lines with its comments: one state machine (standby ⇄ leader) whose every transition
// carries the reasoning that keeps two replicas from leading at once; splitting it would scatter that.
import { errorMessage, type LeaderRecord } from '@opscrew/contracts';
import { type Clock, systemClock } from './clock';
import { type TypedKv } from './typed-kv';

/** Shortest lease: below a second, a GC pause or one slow round trip would depose a healthy leader. */
export const MIN_LEADER_TTL_MS = 1_000;
/** Longest lease (5 min): a crashed leader's work waits at most this long for a successor. */
export const MAX_LEADER_TTL_MS = 300_000;

export interface LeaderLeaseOptions {
  /** The key in the `leaders` bucket: `<agent>` or `<agent>.<role>` (leaderKey). */
  readonly key: string;
  /** This replica's id (AgentIdentity.replica). */
  readonly holder: string;
  readonly ttl_ms: number;
  /**
   * How long BEFORE the lease could expire elsewhere this replica stops leading (see
   * `validUntil` below). Must be below two thirds of the TTL, so a renew due at a third still
   * lands in time.
   */
  readonly safety_margin_ms: number;
}

export type LeaderRole = 'leader' | 'standby';

/**
 * What a piece of leader work runs under. `term` and `holder` name the reign (a renew keeps
 * them); `revision` is the entry's KV revision when the work started: every later write of the
 * key has a greater one, so an executor that remembers the highest it saw can refuse an older
 * leader's command (the fencing token).
 */
export interface FencingToken {
  readonly key: string;
  readonly holder: string;
  readonly term: number;
  readonly revision: number;
}

/** What /health and logs show of a lease. */
export interface LeaderView {
  readonly key: string;
  readonly role: LeaderRole;
  /** This replica. */
  readonly replica: string;
  /** The leader as last read (this replica when it leads), or null when none was seen. */
  readonly leader: string | null;
  readonly term: number | null;
  readonly revision: number | null;
  /** When the lease ends in other replicas' eyes (record's expires_at). */
  readonly expires_at: string | null;
}

export type LeaderRun<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

interface Held {
  readonly record: LeaderRecord;
  readonly revision: number;
  /** Our clock: when we stop leading unless a renew lands first. */
  readonly validUntil: number;
}

/**
 * Leader election among replicas of one agent on the `leaders` bucket: the lease pattern of
 * LeaseService (expiry in the value, revision as fencing token; NATS 2.9 has bucket TTL only
 * and watches do not see its expiry), driven by `tick()` every `renewIntervalMs` (a third of the
 * TTL; LeadershipService schedules it).
 *
 *  - acquire: `create` when the key is absent, or a CAS update over an expired or released
 *    record (TypedKv.mutate: of two racers exactly one wins); the new term is the old + 1.
 *  - renew: `update(revision)` every tick while leading. A lost CAS (someone took the key) deposes
 *    at once; a failed request (NATS away) keeps leading only until the local deadline.
 *  - the local deadline: a write sent at our time `t` says `expires_at = t + ttl`. Another replica
 *    takes over when ITS clock passes that instant. If its clock runs `s` ms ahead of ours, that
 *    is at our `t + ttl - s`. So we stop leading at `t + ttl - safety_margin`: leader work never
 *    overlaps as long as clock skew plus a pause of this process stays below the margin (NTP
 *    keeps hosts within milliseconds; the 2 s default also covers a long GC pause). `t` is
 *    taken BEFORE the write, so a slow round trip only makes us stop earlier.
 *  - release (clean stop): stop leading first, wait for the work in flight, then CAS-write the
 *    record `released` so a standby takes over on its next tick, clocks regardless. A marker
 *    rather than a delete keeps the term counting up.
 *
 * Leader work goes through `runIfLeader` (or checks `isLeader()` between its steps); both look
 * at the deadline, so a leader whose renews stall stops starting work even if no tick ran.
 */
export class LeaderLease {
  private held: Held | null = null;
  /** The record last read or written, for the view (who leads, when it ends). */
  private seen: { record: LeaderRecord; revision: number } | null = null;
  private closed = false;
  /**
   * Our last write that stuck, adopted or not: a release must free a record an in-flight
   * acquire wrote just as the release began (else a standby would wait out its TTL).
   */
  private written: { record: LeaderRecord; revision: number } | null = null;
  private ticking: Promise<LeaderRole> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly electedListeners = new Set<(token: FencingToken) => void>();
  private readonly deposedListeners = new Set<(reason: string) => void>();

  constructor(
    private readonly kv: TypedKv<LeaderRecord>,
    readonly options: LeaderLeaseOptions,
    private readonly clock: Clock = systemClock,
    /** Told when a listener throws (it must not break the lease's bookkeeping). */
    private readonly onListenerError: (error: unknown) => void = () => undefined,
  ) {
    const { ttl_ms: ttl, safety_margin_ms: margin } = options;
    if (!Number.isSafeInteger(ttl) || ttl < MIN_LEADER_TTL_MS || ttl > MAX_LEADER_TTL_MS) {
      throw new RangeError(
        `leader lease ${options.key}: ttl must be an integer between ${MIN_LEADER_TTL_MS} and ${MAX_LEADER_TTL_MS} ms, got ${ttl}`,
      );
    }
    if (!Number.isFinite(margin) || margin < 0 || margin >= (ttl * 2) / 3) {
      throw new RangeError(
        `leader lease ${options.key}: safety margin must be ≥ 0 and below two thirds of the ttl (${ttl} ms), got ${margin}`,
      );
    }
  }

  /** How often `tick()` should run: a third of the TTL (two renews may fail before the end). */
  get renewIntervalMs(): number {
    return Math.max(1, Math.floor(this.options.ttl_ms / 3));
  }

  /**
   * One step: renew when leading, else try to acquire. Never two at a time (a second call gets
   * the one in flight). Throws what the bus threw (the caller logs it; the next tick retries);
   * the role is settled either way.
   */
  tick(): Promise<LeaderRole> {
    if (this.ticking === null) {
      this.ticking = this.step().finally(() => {
        this.ticking = null;
      });
    }
    return this.ticking;
  }

  /** Whether this replica leads now (the local deadline included). */
  isLeader(): boolean {
    this.checkDeadline();
    return this.held !== null;
  }

  get role(): LeaderRole {
    return this.isLeader() ? 'leader' : 'standby';
  }

  /** The current reign's token, or null when not leading. */
  token(): FencingToken | null {
    if (!this.isLeader() || this.held === null) return null;
    return tokenOf(this.options.key, this.held);
  }

  /** Whether `token` is still this replica's reign (long work checks between its steps). */
  stillLeads(token: FencingToken): boolean {
    return this.isLeader() && this.held?.record.term === token.term;
  }

  /**
   * Runs `work` only while leading, and counts it in flight so `release` waits for it before
   * handing over. Not leading: does nothing (`ran: false`). What `work` throws propagates.
   */
  async runIfLeader<T>(work: (token: FencingToken) => Promise<T>): Promise<LeaderRun<T>> {
    const token = this.token();
    if (token === null) return { ran: false };
    const run = work(token);
    this.inFlight.add(run);
    try {
      return { ran: true, value: await run };
    } finally {
      this.inFlight.delete(run);
    }
  }

  onElected(listener: (token: FencingToken) => void): () => void {
    this.electedListeners.add(listener);
    return () => this.electedListeners.delete(listener);
  }

  onDeposed(listener: (reason: string) => void): () => void {
    this.deposedListeners.add(listener);
    return () => this.deposedListeners.delete(listener);
  }

  view(): LeaderView {
    const leading = this.isLeader();
    const record = this.seen?.record ?? null;
    const live = record !== null && !isFree(record, this.clock.now());
    return {
      key: this.options.key,
      role: leading ? 'leader' : 'standby',
      replica: this.options.holder,
      leader: leading ? this.options.holder : live ? record.holder : null,
      term: record?.term ?? null,
      revision: this.seen?.revision ?? null,
      expires_at: record?.expires_at ?? null,
    };
  }

  /**
   * Clean stop: no new leader work from here, the work in flight finishes, then the record is
   * marked released (one CAS; false when it was no longer ours). Later ticks do nothing.
   */
  async release(): Promise<boolean> {
    this.closed = true;
    await this.ticking?.catch(() => undefined);
    const held = this.held;
    if (held !== null) this.depose('released (clean stop)');
    await Promise.allSettled([...this.inFlight]);
    const ours = held ?? this.written;
    if (ours === null) return false;
    const now = this.clock.now();
    const record: LeaderRecord = {
      ...ours.record,
      renewed_at: iso(now),
      expires_at: iso(now),
      released: true,
    };
    const revision = await this.kv.update(this.options.key, record, ours.revision);
    this.written = null;
    if (revision !== null) this.seen = { record, revision };
    return revision !== null;
  }

  private async step(): Promise<LeaderRole> {
    this.checkDeadline();
    if (this.closed) return 'standby';
    if (this.held !== null) await this.renew(this.held);
    else await this.acquire();
    return this.role;
  }

  private async acquire(): Promise<void> {
    const sentAt = this.clock.now();
    const { key, holder, ttl_ms: ttl } = this.options;
    // decide is pure: it judges with the instant taken before the rounds (conservative: a
    // later round may see an expiry a little late, never early).
    const out = await this.kv.mutate<boolean>(key, (current) => {
      if (current !== null && !isFree(current.value, sentAt)) return { keep: false };
      const record: LeaderRecord = {
        holder,
        term: current === null ? 1 : current.value.term + 1,
        acquired_at: iso(sentAt),
        renewed_at: iso(sentAt),
        expires_at: iso(sentAt + ttl),
      };
      return { put: record, result: true };
    });
    if (out.entry !== null) this.seen = { record: out.entry.value, revision: out.entry.revision };
    if (out.result && out.entry !== null) this.adopt(out.entry.value, out.entry.revision, sentAt);
  }

  private async renew(held: Held): Promise<void> {
    const sentAt = this.clock.now();
    const record: LeaderRecord = {
      ...held.record,
      renewed_at: iso(sentAt),
      expires_at: iso(sentAt + this.options.ttl_ms),
    };
    let revision: number | null;
    try {
      revision = await this.kv.update(this.options.key, record, held.revision);
    } catch (error) {
      // Unknown outcome (NATS away, a timeout): still leading until the deadline, which the
      // next tick or isLeader() enforces. If the write did land, its revision is unknown to us
      // and the next renew loses its CAS: we step down then, and the key frees at expiry.
      this.checkDeadline();
      throw new Error(`leader lease ${this.options.key}: renew failed: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    if (revision === null) {
      if (this.held === held) this.depose('lease lost: another replica took it (renew CAS failed)');
      this.seen = null;
      this.written = null;
      return;
    }
    this.seen = { record, revision };
    this.adopt(record, revision, sentAt);
  }

  /** Leads under a record written at our `sentAt`, unless that write is already too old. */
  private adopt(record: LeaderRecord, revision: number, sentAt: number): void {
    this.written = { record, revision };
    const validUntil = sentAt + this.options.ttl_ms - this.options.safety_margin_ms;
    if (this.closed || this.clock.now() >= validUntil) {
      // Written, but we may no longer act on it (stopping, or the round trip ate the margin):
      // the record expires on its own, or a later renew by us fails harmlessly.
      if (this.held !== null) this.depose('renew landed too late');
      return;
    }
    const wasLeading = this.held !== null && this.held.record.term === record.term;
    this.held = { record, revision, validUntil };
    if (!wasLeading) {
      const token = tokenOf(this.options.key, this.held);
      for (const listener of [...this.electedListeners]) this.notify(() => listener(token));
    }
  }

  private checkDeadline(): void {
    if (this.held !== null && this.clock.now() >= this.held.validUntil) {
      this.depose('renew overdue: stepped down before the lease could expire elsewhere');
    }
  }

  private depose(reason: string): void {
    if (this.held === null) return;
    this.held = null;
    for (const listener of [...this.deposedListeners]) this.notify(() => listener(reason));
  }

  private notify(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.onListenerError(error);
    }
  }
}

/** Free to take: released, or past its expiry by the reader's clock. */
function isFree(record: LeaderRecord, now: number): boolean {
  return record.released === true || Date.parse(record.expires_at) <= now;
}

function tokenOf(key: string, held: Held): FencingToken {
  return { key, holder: held.record.holder, term: held.record.term, revision: held.revision };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
