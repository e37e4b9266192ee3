import { LeaseRecord } from '@opscrew/contracts';
import { type Clock, systemClock } from './clock';
import { type KvRevisioned } from './kv-mutation';
import { LeaseLostError } from './lease-lost.error';
import { type TypedKv } from './typed-kv';

/** A lease as its holder sees it. */
export interface Lease {
  key: string;
  holder: string;
  /** KV revision of the entry: the fencing token. */
  revision: number;
  acquired_at: string;
  expires_at: string;
  /** The TTL this lease was (re)newed with. */
  ttl_ms: number;
  reason: string;
}

export type AcquireResult =
  | { ok: true; lease: Lease }
  | { ok: false; held_by: { holder: string; expires_at: string; revision: number } };

/**
 * Shortest lease: below one second, clock skew between hosts and a GC pause
 * would expire leases that are still in use.
 */
export const MIN_LEASE_TTL_MS = 1_000;
/**
 * Longest lease: a crashed holder blocks the key at most this long. Must stay
 * below the locks bucket TTL (1 day, see topology) so the server never drops a
 * live lease; long work renews instead.
 */
export const MAX_LEASE_TTL_MS = 60 * 60 * 1000;
/** Renew at 75 % of the lease: leaves a quarter for a slow round trip or a retry. */
export const RENEW_AT_FRACTION = 0.75;
/** The locks bucket, or a way to open it on first use (so a process that never leases needs no bucket). */
export type LocksBucket = TypedKv<LeaseRecord> | (() => Promise<TypedKv<LeaseRecord>>);

/**
 * Per-key exclusive leases on the `locks` bucket (NATS 2.9: no per-key TTL, so
 * every lease carries its own `expires_at`; the KV revision is the fencing
 * token).
 *
 * The maintainers' pattern, which callers must follow:
 *  - acquire with `create` (fails while another live lease exists), or take over an
 *    expired lease by CAS on the revision read (TypedKv.mutate);
 *  - renew at ~75 % of the lease (`renewDelay(lease)`) with `update(rev)`;
 *  - stop acting THE MOMENT a renew fails (LeaseLostError): another holder may
 *    already be working;
 *  - release with `delete(previousSeq)`;
 *  - executors check `isCurrent(key, revision)` and refuse commands carrying an
 *    older revision, so a paused-then-resumed old holder cannot do damage.
 */
export class LeaseService {
  private locksKv: Promise<TypedKv<LeaseRecord>> | null = null;

  constructor(
    private readonly locks: LocksBucket,
    private readonly clock: Clock = systemClock,
  ) {}

  private bucket(): Promise<TypedKv<LeaseRecord>> {
    if (this.locksKv === null) {
      const source = this.locks;
      const opened = typeof source === 'function' ? source() : Promise.resolve(source);
      void opened.catch(() => {
        this.locksKv = null; // retry the open on the next call
      });
      this.locksKv = opened;
    }
    return this.locksKv;
  }

  /**
   * Takes the key when it is free, or when its lease expired — by CAS on the revision read, so
   * of two takers exactly one wins and the winner's revision is its fencing token. A live lease
   * is an answer (`held_by`), not a reason to retry. TypedKv.mutate runs the rounds: the first
   * one tries `create` straight away (most keys are free), a lost one re-reads and decides again.
   */
  async acquire(
    key: string,
    holder: string,
    ttlMs: number,
    reason: string,
  ): Promise<AcquireResult> {
    checkTtl(ttlMs);
    const locks = await this.bucket();
    const out = await locks.mutate<AcquireResult | null>(
      key,
      (current) => {
        const now = this.clock.now();
        if (current !== null && !isExpired(current.value, now)) {
          return { keep: { ok: false, held_by: heldBy(current.value, current.revision) } };
        }
        return { put: this.record(holder, now, now, ttlMs, reason), result: null };
      },
      { current: null },
    );
    if (out.result !== null) return out.result;
    // A put that stuck always leaves its entry (the record written, its revision).
    const taken = out.entry as KvRevisioned<LeaseRecord>;
    return { ok: true, lease: toLease(key, taken.value, taken.revision) };
  }

  /**
   * Extends the lease from now; the returned lease has the new revision. One CAS, never a
   * mutate loop: a lost renew means the lease was lost, and the holder must stop.
   */
  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    checkTtl(ttlMs);
    const locks = await this.bucket();
    const now = this.clock.now();
    const record = this.record(
      lease.holder,
      Date.parse(lease.acquired_at),
      now,
      ttlMs,
      lease.reason,
    );
    const revision = await locks.update(lease.key, record, lease.revision);
    if (revision === null) {
      throw new LeaseLostError(lease.key, lease.holder, lease.revision);
    }
    return toLease(lease.key, record, revision);
  }

  /** Deletes the lease if it is still ours (one CAS, no retry); false when it was lost meanwhile. */
  async release(lease: Lease): Promise<boolean> {
    const locks = await this.bucket();
    return locks.delete(lease.key, lease.revision);
  }

  /** The live lease on `key`, or null (none, or expired). */
  async current(key: string): Promise<Lease | null> {
    const locks = await this.bucket();
    const entry = await locks.get(key);
    if (entry === null || isExpired(entry.value, this.clock.now())) {
      return null;
    }
    return toLease(key, entry.value, entry.revision);
  }

  /** Fencing check for executors: is `revision` the live lease on `key`? */
  async isCurrent(key: string, revision: number): Promise<boolean> {
    const lease = await this.current(key);
    return lease !== null && lease.revision === revision;
  }

  /** Milliseconds from now until the renew is due (~75 % into the lease). */
  renewDelay(lease: Lease): number {
    const due = Date.parse(lease.expires_at) - lease.ttl_ms * (1 - RENEW_AT_FRACTION);
    return Math.max(0, due - this.clock.now());
  }

  private record(
    holder: string,
    acquiredAt: number,
    now: number,
    ttlMs: number,
    reason: string,
  ): LeaseRecord {
    const record = new LeaseRecord();
    record.holder = holder;
    record.acquired_at = new Date(acquiredAt).toISOString();
    record.expires_at = new Date(now + ttlMs).toISOString();
    record.ttl_ms = ttlMs;
    record.reason = reason;
    return record;
  }
}

function toLease(key: string, record: LeaseRecord, revision: number): Lease {
  return {
    key,
    holder: record.holder,
    revision,
    acquired_at: record.acquired_at,
    expires_at: record.expires_at,
    ttl_ms: record.ttl_ms,
    reason: record.reason,
  };
}

function heldBy(
  record: LeaseRecord,
  revision: number,
): { holder: string; expires_at: string; revision: number } {
  return { holder: record.holder, expires_at: record.expires_at, revision };
}

function isExpired(record: LeaseRecord, now: number): boolean {
  return Date.parse(record.expires_at) <= now;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < MIN_LEASE_TTL_MS || ttlMs > MAX_LEASE_TTL_MS) {
    throw new RangeError(
      `lease ttl must be an integer between ${MIN_LEASE_TTL_MS} and ${MAX_LEASE_TTL_MS} ms, got ${ttlMs}`,
    );
  }
}
