import { type Validated } from '@opscrew/contracts';
import { type Clock, systemClock } from './clock';
import { DUE_INDEX_SCHEMA, type DueEntry, KvDueIndex } from './kv-due-index';
import { type KvRevisioned } from './kv-mutation';
import { type TypedKv } from './typed-kv';

/** Who works on an item, and until when (epoch ms): a lease inside the item record. */
export interface WorkClaimRecord {
  readonly owner: string;
  readonly until: number;
}

/** One stored item: its payload, when it is due, how often it was claimed, who holds it. */
export interface WorkItem<T> {
  readonly payload: T;
  /** Epoch ms. */
  readonly due_at: number;
  /** Claims taken so far (a takeover counts): what a poison item's retry budget reads. */
  readonly attempts: number;
  readonly claim?: WorkClaimRecord;
}

/** An item held by `owner` until `until`: what renew/release/complete/reschedule take. */
export interface WorkClaim<T> {
  readonly id: string;
  readonly payload: T;
  readonly attempts: number;
  readonly owner: string;
  readonly until: number;
  /** The item's revision as this claim left it: the fencing token of the next write. */
  readonly revision: number;
  /** True when an expired claim of another owner was taken over (its work may be half done). */
  readonly taken_over: boolean;
}

export interface KvWorkQueueOptions<T> {
  /** Key prefix of the items (`<prefix><id>`), e.g. `item.`. */
  readonly item_prefix: string;
  /** The key of the bucket's due index (topology.ts `due_index_key`). */
  readonly due_index_key: string;
  /** Checks a payload on read and write. */
  readonly validate: (raw: unknown) => Validated<T>;
  readonly clock?: Clock;
}

type ClaimOutcome<T> =
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-due' | 'held'; readonly item: KvRevisioned<WorkItem<T>> }
  | { readonly kind: 'claimed'; readonly taken_over: boolean };

/**
 * Durable work in a KV bucket, shared by replicas: items keyed by id, a due index
 * (KvDueIndex: one read finds what is due), and claims that are leases inside the item (owner +
 * expiry, renewed by the owner, taken over by anyone once expired). Every item write is a CAS
 * (`TypedKv.mutate`), so two replicas never both hold an item; the index is synced after each
 * write, and is scheduled before an item becomes due (see KvDueIndex for why that is enough).
 *
 * A worker: `due()` → `claim(id)` → work → `complete` | `reschedule` | `release`, renewing a
 * claim that outlives a third of its lease. A claimed item's index entry moves to the claim's
 * expiry, so others look again only when a dead owner's lease ran out.
 */
export class KvWorkQueue<T> {
  private readonly items: TypedKv<WorkItem<T>>;
  private readonly index: KvDueIndex;
  private readonly clock: Clock;

  constructor(
    bucket: TypedKv<unknown>,
    private readonly options: KvWorkQueueOptions<T>,
  ) {
    this.items = bucket.view<WorkItem<T>>({
      validate: (raw) => validateItem(raw, options.validate),
    });
    this.index = new KvDueIndex(bucket.view(DUE_INDEX_SCHEMA), options.due_index_key);
    this.clock = options.clock ?? systemClock;
  }

  /** Adds an item due at `dueAt` (default now); false when one with this id exists already. */
  async enqueue(id: string, payload: T, dueAt: number = this.clock.now()): Promise<boolean> {
    // Indexed first: a crash before the create leaves an entry without an item (dropped on
    // claim), never an item without an entry.
    await this.index.schedule(id, dueAt, 0);
    const revision = await this.items.create(this.keyOf(id), {
      payload,
      due_at: dueAt,
      attempts: 0,
    });
    if (revision === null) {
      // It existed: undo our early entry by syncing from the item that is there.
      const existing = await this.items.get(this.keyOf(id));
      if (existing !== null) await this.sync(id, existing);
      return false;
    }
    await this.index.schedule(id, dueAt, revision);
    return true;
  }

  /** Ids due now (per the index; `claim` checks the item itself), earliest first. */
  due(now: number = this.clock.now()): Promise<DueEntry[]> {
    return this.index.due(now);
  }

  async get(id: string): Promise<KvRevisioned<WorkItem<T>> | null> {
    return this.items.get(this.keyOf(id));
  }

  /**
   * Claims the item for `owner` for `leaseMs`: when it is due and unclaimed, already `owner`'s,
   * or its claim expired (a takeover). Null when it is gone, not due yet, or held by another.
   */
  async claim(id: string, owner: string, leaseMs: number): Promise<WorkClaim<T> | null> {
    checkLease(leaseMs);
    const now = this.clock.now();
    const out = await this.items.mutate<ClaimOutcome<T>>(this.keyOf(id), (current) => {
      if (current === null) return { keep: { kind: 'missing' } };
      const item = current.value;
      const claim = item.claim;
      if (claim !== undefined && claim.owner !== owner && claim.until > now) {
        return { keep: { kind: 'held', item: current } };
      }
      if (claim === undefined && item.due_at > now)
        return { keep: { kind: 'not-due', item: current } };
      const takenOver = claim !== undefined && claim.owner !== owner;
      return {
        put: { ...item, attempts: item.attempts + 1, claim: { owner, until: now + leaseMs } },
        result: { kind: 'claimed', taken_over: takenOver },
      };
    });
    const result = out.result;
    if (result.kind === 'missing') {
      await this.dropEntry(id);
      return null;
    }
    if (result.kind !== 'claimed') {
      // The index looked too soon (a crash between writes, another replica's claim): sync it.
      await this.sync(id, result.item);
      return null;
    }
    const entry = out.entry as KvRevisioned<WorkItem<T>>;
    await this.sync(id, entry);
    return toClaim(id, entry, result.taken_over);
  }

  /** Extends `claim` by `leaseMs` from now; null when it was lost (taken over, completed). */
  async renew(claim: WorkClaim<T>, leaseMs: number): Promise<WorkClaim<T> | null> {
    checkLease(leaseMs);
    const until = this.clock.now() + leaseMs;
    const entry = await this.write(claim, (item) => ({
      ...item,
      claim: { owner: claim.owner, until },
    }));
    return entry === null ? null : toClaim(claim.id, entry, claim.taken_over);
  }

  /** Gives the item back unchanged: due again at its due time. False when the claim was lost. */
  async release(claim: WorkClaim<T>): Promise<boolean> {
    return (await this.write(claim, (item) => unclaimed(item, item.due_at))) !== null;
  }

  /** Sets the item due at `dueAt` and gives it back (a retry later, the next step of a timer). */
  async reschedule(claim: WorkClaim<T>, dueAt: number, payload?: T): Promise<boolean> {
    const entry = await this.write(claim, (item) =>
      unclaimed(payload === undefined ? item : { ...item, payload }, dueAt),
    );
    return entry !== null;
  }

  /** Done: deletes the item and its index entry. False when the claim was lost. */
  async complete(claim: WorkClaim<T>): Promise<boolean> {
    if (!(await this.items.delete(this.keyOf(claim.id), claim.revision))) return false;
    await this.index.remove(claim.id, claim.revision);
    return true;
  }

  /** Claims what is due, at most `limit` items, skipping those held by others. */
  async claimDue(owner: string, leaseMs: number, limit = Infinity): Promise<WorkClaim<T>[]> {
    const claims: WorkClaim<T>[] = [];
    for (const entry of await this.due()) {
      if (claims.length >= limit) break;
      const claim = await this.claim(entry.id, owner, leaseMs);
      if (claim !== null) claims.push(claim);
    }
    return claims;
  }

  /** A CAS write on the claim's revision, then the index synced; null when the claim was lost. */
  private async write(
    claim: WorkClaim<T>,
    change: (item: WorkItem<T>) => WorkItem<T>,
  ): Promise<KvRevisioned<WorkItem<T>> | null> {
    const key = this.keyOf(claim.id);
    const current = await this.items.get(key);
    if (current === null || current.revision !== claim.revision) return null;
    const next = change(current.value);
    const revision = await this.items.update(key, next, claim.revision);
    if (revision === null) return null;
    const entry = { value: next, revision };
    await this.sync(claim.id, entry);
    return entry;
  }

  /** The index entry as the item says: its claim's expiry while claimed, else its due time. */
  private async sync(id: string, entry: KvRevisioned<WorkItem<T>>): Promise<void> {
    const item = entry.value;
    await this.index.schedule(id, item.claim?.until ?? item.due_at, entry.revision);
  }

  /**
   * The item is gone: drop its entry, then look once more, because an enqueue may have created
   * it between our read and the removal (its own sync then follows ours or we re-add it here).
   */
  private async dropEntry(id: string): Promise<void> {
    await this.index.remove(id, Number.MAX_SAFE_INTEGER);
    const again = await this.items.get(this.keyOf(id));
    if (again !== null) await this.sync(id, again);
  }

  private keyOf(id: string): string {
    return `${this.options.item_prefix}${id}`;
  }
}

function toClaim<T>(
  id: string,
  entry: KvRevisioned<WorkItem<T>>,
  takenOver: boolean,
): WorkClaim<T> {
  const claim = entry.value.claim as WorkClaimRecord;
  return {
    id,
    payload: entry.value.payload,
    attempts: entry.value.attempts,
    owner: claim.owner,
    until: claim.until,
    revision: entry.revision,
    taken_over: takenOver,
  };
}

function unclaimed<T>(item: WorkItem<T>, dueAt: number): WorkItem<T> {
  return { payload: item.payload, due_at: dueAt, attempts: item.attempts };
}

function checkLease(leaseMs: number): void {
  if (!Number.isSafeInteger(leaseMs) || leaseMs <= 0) {
    throw new RangeError(`work queue: a lease needs a positive integer of ms, got ${leaseMs}`);
  }
}

function validateItem<T>(
  raw: unknown,
  validate: (raw: unknown) => Validated<T>,
): Validated<WorkItem<T>> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'not an object' };
  const { payload, due_at, attempts, claim } = raw as Record<string, unknown>;
  if (typeof due_at !== 'number' || !Number.isSafeInteger(due_at)) {
    return { ok: false, reason: 'due_at must be epoch ms' };
  }
  if (typeof attempts !== 'number' || !Number.isSafeInteger(attempts) || attempts < 0) {
    return { ok: false, reason: 'attempts must be a non-negative integer' };
  }
  if (claim !== undefined) {
    const { owner, until } = (claim ?? {}) as Record<string, unknown>;
    if (typeof owner !== 'string' || owner === '' || typeof until !== 'number') {
      return { ok: false, reason: 'claim needs an owner and an until' };
    }
  }
  const checked = validate(payload);
  if (!checked.ok) return { ok: false, reason: `payload: ${checked.reason}` };
  const item: WorkItem<T> = { payload: checked.value, due_at, attempts };
  return {
    ok: true,
    value: claim === undefined ? item : { ...item, claim: claim as WorkClaimRecord },
  };
}
