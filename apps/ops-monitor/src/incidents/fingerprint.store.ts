import { type FingerprintRecord } from '@opscrew/contracts';
import { type KvItem, type KvRevisioned, type TypedKv } from '@opscrew/messaging';

/** Bound on the local index cache; a storm beyond it just reads from KV again. */
const MAX_CACHED_FINGERPRINTS = 50_000;

/**
 * The `fingerprints` bucket (the dedup index) with this process's last known entry per key:
 * a fold usually needs one CAS write, not a read and a write. Every write is compare-and-swap;
 * a lost one returns null and the caller forgets the key and reads again.
 */
export class FingerprintStore {
  private readonly cache = new Map<string, KvRevisioned<FingerprintRecord>>();

  constructor(private readonly kv: TypedKv<FingerprintRecord>) {}

  get bucket(): string {
    return this.kv.bucket;
  }

  /** The cached entry, else the stored one (then cached). */
  async current(key: string): Promise<KvRevisioned<FingerprintRecord> | null> {
    return this.cache.get(key) ?? (await this.read(key));
  }

  /** The stored entry, read fresh and not cached (where a report's `resolved` is noted). */
  async fresh(key: string): Promise<KvRevisioned<FingerprintRecord> | null> {
    return this.kv.get(key);
  }

  /** Our view of the key was stale (another replica wrote): the next `current` reads again. */
  forget(key: string): void {
    this.cache.delete(key);
  }

  /**
   * Writes by CAS: `create` when `revision` is null (nothing stored), else `update` on it.
   * The new revision (the entry cached), or null when another writer got there first.
   */
  async write(
    key: string,
    value: FingerprintRecord,
    revision: number | null,
  ): Promise<number | null> {
    const written =
      revision === null
        ? await this.kv.create(key, value)
        : await this.kv.update(key, value, revision);
    if (written !== null) this.remember(key, value, written);
    return written;
  }

  /**
   * Marks the opening of `record` done (announced: true), unless the key now holds another
   * incident or it is marked already. The first round decides on the entry given, without a
   * read. The marked entry, or null when this call marked nothing.
   */
  async markAnnounced(
    key: string,
    record: FingerprintRecord,
    revision: number,
  ): Promise<KvRevisioned<FingerprintRecord> | null> {
    const out = await this.kv.mutate<boolean>(
      key,
      (current) =>
        !current || current.value.incident_id !== record.incident_id || current.value.announced
          ? { keep: false }
          : { put: { ...current.value, announced: true }, result: true },
      { current: { value: record, revision } },
    );
    if (!out.result || out.entry === null) return null;
    this.remember(key, out.entry.value, out.entry.revision);
    return out.entry;
  }

  /** Every stored entry (a scan: for recovery at start, not per sighting). */
  async values(): Promise<KvItem<FingerprintRecord>[]> {
    return this.kv.values();
  }

  /** Every entry this process opened or folded into (and still caches), live as the cache. */
  *cachedValues(): IterableIterator<FingerprintRecord> {
    for (const { value } of this.cache.values()) yield value;
  }

  private async read(key: string): Promise<KvRevisioned<FingerprintRecord> | null> {
    const entry = await this.kv.get(key);
    if (entry) this.remember(key, entry.value, entry.revision);
    return entry;
  }

  private remember(key: string, value: FingerprintRecord, revision: number): void {
    if (this.cache.size >= MAX_CACHED_FINGERPRINTS && !this.cache.has(key)) this.cache.clear();
    this.cache.set(key, { value, revision });
  }
}
