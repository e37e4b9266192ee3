import { type Validated } from '@opscrew/contracts';
import { type KvSchema, type TypedKv } from './typed-kv';

/**
 * When an item of a KV bucket next needs someone to look at it: one entry per scheduled item.
 * `revision` is the revision of the item the entry was computed from (0: computed before the
 * item was written).
 */
export interface DueEntry {
  readonly id: string;
  /** Epoch ms. */
  readonly due_at: number;
  readonly revision: number;
}

/** The stored index: one record, entries by item id. */
export interface DueIndexRecord {
  readonly entries: Readonly<
    Record<string, { readonly due_at: number; readonly revision: number }>
  >;
}

/**
 * Entries one index holds at most. An entry is ~60 bytes of JSON, so 1000 stay well under the
 * 64 KiB value limit of the buckets that carry an index (topology.ts); the users are a few
 * dozen runs and escalations at once, so reaching it means items leak, which is worth a throw.
 */
export const DUE_INDEX_MAX_ENTRIES = 1000;

/** What the index accepts as its value: checked on read and write like every TypedKv value. */
export const DUE_INDEX_SCHEMA: KvSchema<DueIndexRecord> = { validate: validateDueIndex };

/**
 * The due index of a KV bucket: which items need work, and from when, in ONE small record
 * mutated by compare-and-swap (`TypedKv.mutate`), so "what is due?" is one KV read however many
 * items the bucket holds (finished runs, closed escalations, restart marks are never read).
 *
 * Why one record, not one key per item with the time in its name (`due.<ms>.<id>`) or a watch:
 * - NATS 2.9 has no per-key TTL, and a key listing (the stream's subjects) still names deleted
 *   keys: a time-in-the-name key is a new subject on every reschedule, and finding the live ones
 *   costs a read each (or purging markers), which is the scan this replaces;
 * - a watch gives each replica a live copy, but is one ordered consumer per replica and bucket to
 *   keep alive across reconnects, for what a single read per tick already answers;
 * - several replicas write it: the CAS of `mutate` (jittered retries) keeps every write, and the
 *   writers are a handful doing a few writes a minute. A queue with far more traffic (the outbox)
 *   would shard it (`<key>.<n>` by a hash of the id) rather than contend on one key.
 *
 * The index is a hint; the item record is the truth. Its one promise: an item that needs work
 * has an entry due no later than the work is. Writers keep it by (a) scheduling BEFORE writing an
 * item that becomes due sooner (a new one, a re-attempt), (b) syncing from the item AFTER each
 * write (a crash in between leaves the older, earlier entry: a reader looks too soon, finds
 * nothing to do and syncs), and (c) revisions: an entry only moves later or goes away for a sync
 * from the same or a newer item revision, so a slow replica cannot undo a newer schedule, while
 * moving an entry earlier is always safe and always accepted.
 */
export class KvDueIndex {
  constructor(
    private readonly kv: TypedKv<DueIndexRecord>,
    /** The index record's key in its bucket (topology.ts `due_index_key`). */
    readonly key: string,
    private readonly maxEntries: number = DUE_INDEX_MAX_ENTRIES,
  ) {}

  /** Every entry, earliest first. */
  async entries(): Promise<DueEntry[]> {
    const current = await this.kv.get(this.key);
    return current === null ? [] : sorted(current.value);
  }

  /** Entries due at `now` (epoch ms), earliest first. */
  async due(now: number): Promise<DueEntry[]> {
    return (await this.entries()).filter((entry) => entry.due_at <= now);
  }

  /**
   * Sets the item's entry to `dueAt` as computed from item revision `revision` (0: before the
   * item was written). Moving it later needs a revision at least the entry's; moving it earlier
   * is always accepted. True when the index changed.
   */
  async schedule(id: string, dueAt: number, revision: number): Promise<boolean> {
    checkTime(this.kv.bucket, id, dueAt);
    const out = await this.kv.mutate<boolean>(this.key, (current) => {
      const entries = current?.value.entries ?? {};
      const stored = entries[id];
      let next: { due_at: number; revision: number };
      if (stored === undefined || revision >= stored.revision) {
        next = { due_at: dueAt, revision: Math.max(revision, stored?.revision ?? 0) };
      } else if (dueAt < stored.due_at) {
        next = { due_at: dueAt, revision: stored.revision };
      } else {
        return { keep: false };
      }
      if (
        stored !== undefined &&
        stored.due_at === next.due_at &&
        stored.revision === next.revision
      )
        return { keep: false };
      if (stored === undefined && Object.keys(entries).length >= this.maxEntries) {
        throw new RangeError(
          `kv ${this.kv.bucket}: due index ${this.key} is full (${this.maxEntries} entries); items are not being completed`,
        );
      }
      return { put: { entries: { ...entries, [id]: next } }, result: true };
    });
    return out.result;
  }

  /**
   * Drops the item's entry (finished, deleted), unless it was scheduled from a newer item
   * revision than `revision` (the item came back in between). True when the index changed.
   */
  async remove(id: string, revision: number): Promise<boolean> {
    const out = await this.kv.mutate<boolean>(this.key, (current) => {
      const stored = current?.value.entries[id];
      if (current === null || stored === undefined || stored.revision > revision) {
        return { keep: false };
      }
      const entries = { ...current.value.entries };
      delete entries[id];
      return { put: { entries }, result: true };
    });
    return out.result;
  }
}

function sorted(record: DueIndexRecord): DueEntry[] {
  return Object.entries(record.entries)
    .map(([id, entry]) => ({ id, due_at: entry.due_at, revision: entry.revision }))
    .sort((a, b) => a.due_at - b.due_at || a.id.localeCompare(b.id));
}

function checkTime(bucket: string, id: string, dueAt: number): void {
  if (!Number.isSafeInteger(dueAt) || dueAt < 0) {
    throw new RangeError(`kv ${bucket}: due time of "${id}" must be epoch ms, got ${dueAt}`);
  }
}

function validateDueIndex(raw: unknown): Validated<DueIndexRecord> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'not an object' };
  const entries = (raw as { entries?: unknown }).entries;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    return { ok: false, reason: 'entries must be an object' };
  }
  for (const [id, entry] of Object.entries(entries)) {
    const { due_at, revision } = (entry ?? {}) as { due_at?: unknown; revision?: unknown };
    if (
      typeof due_at !== 'number' ||
      !Number.isSafeInteger(due_at) ||
      typeof revision !== 'number' ||
      !Number.isSafeInteger(revision) ||
      revision < 0
    ) {
      return { ok: false, reason: `entry "${id}" needs integer due_at and revision` };
    }
  }
  return { ok: true, value: raw as DueIndexRecord };
}
