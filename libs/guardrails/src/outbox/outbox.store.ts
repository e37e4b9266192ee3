import { type Logger } from '@nestjs/common';
import {
  type OutboxItemRecord,
  OutboxItemRecord as OutboxItemRecordClass,
  OutboxRateWindowRecord,
} from '@opscrew/contracts';
import { KvCorruptValueError, TypedKv } from '@opscrew/messaging';
import { type OutboxBucket } from './outbox-bucket';
import { OutboxFeed, type ScannedKey } from './outbox-feed';
import { type Item, OutboxHaltedError } from './outbox-item';
import { ITEM_PREFIX } from './outbox-keys';

/** Item gets in flight at once during a scan: enough to hide KV latency, far below NATS' limits. */
const SCAN_CONCURRENCY = 32;

/**
 * The outbox's access to its KV bucket: items read, created, changed by CAS on the revision read,
 * listed (from a live view of the bucket, OutboxFeed) and forgotten. After halt() every write throws (a halted worker acts like a dead
 * process: whatever it was doing must not land), except `updateUnguarded`, which shutdown uses to hand
 * claims back after abandoning a delivery.
 */
export class OutboxStore {
  readonly items: TypedKv<OutboxItemRecord>;
  /** The rate windows' records, in the same bucket (see RateWindow). */
  readonly windows: TypedKv<OutboxRateWindowRecord>;
  private halted = false;
  private readonly feed: OutboxFeed;

  constructor(
    private readonly bucket: OutboxBucket,
    private readonly logger: Logger,
    /** How old the view may get before a full resync, and its clock (tests). */
    view: { readonly max_age_ms?: number; readonly now?: () => number } = {},
  ) {
    this.items = new TypedKv(bucket.kv, 'outbox', { class: OutboxItemRecordClass });
    this.windows = new TypedKv(bucket.kv, 'outbox', { class: OutboxRateWindowRecord });
    this.feed = new OutboxFeed(
      bucket.kv,
      this.items,
      () => this.readAll(),
      logger,
      view.max_age_ms,
      view.now,
    );
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /** From now on every write throws OutboxHaltedError (a crash, or an abandoned shutdown). */
  halt(): void {
    this.halted = true;
  }

  /** Creates an item; null when its key exists (the same side effect was enqueued before). */
  async create(key: string, record: OutboxItemRecord): Promise<number | null> {
    return this.noted(key, record, await this.items.create(key, record));
  }

  /** Creates an item unless halted (the worker's own items: storm summaries). */
  async createGuarded(key: string, record: OutboxItemRecord): Promise<number | null> {
    return this.noted(key, record, await this.write(() => this.items.create(key, record)));
  }

  async get(key: string): Promise<Item | null> {
    const entry = await this.items.get(key);
    return entry === null ? null : { key, ...entry };
  }

  /** CAS on `revision`: the new revision, or null when the item changed since it was read. */
  async update(key: string, next: OutboxItemRecord, revision: number): Promise<number | null> {
    return this.noted(key, next, await this.write(() => this.items.update(key, next, revision)));
  }

  /**
   * Like update, also after halt(): shutdown hands claims back even after abandoning calls, and
   * an operator's retry is not the worker's write.
   */
  async updateUnguarded(
    key: string,
    next: OutboxItemRecord,
    revision: number,
  ): Promise<number | null> {
    return this.noted(key, next, await this.items.update(key, next, revision));
  }

  /** Removes an item still at `revision` (a re-enqueue since then survives). */
  async forget(key: string, revision: number): Promise<void> {
    await this.write(() => this.bucket.forget(key, revision));
    // A purge sends the watch nothing: the view learns it here (other replicas forget the same
    // item in their own sweep, or their next resync drops it).
    this.feed.noteForget(key, revision);
  }

  /**
   * Every item, from the live view (see OutboxFeed): no KV request once the watch runs. A corrupt
   * item is logged at error (every read until fixed) and left out.
   */
  async scan(): Promise<Item[]> {
    const { items, corrupt } = await this.feed.read();
    for (const reason of corrupt) this.logger.error(reason);
    return items;
  }

  /** Watches the bucket again from the next scan on (a restarted worker). */
  watch(): void {
    this.feed.open();
  }

  /** Stops watching (a stopped or halted worker); scans read every key again until watch(). */
  unwatch(): void {
    this.feed.close();
  }

  /** Resyncs of the view so far (the first start included). */
  get resyncs(): number {
    return this.feed.resyncs;
  }

  /** Reads every key once: a resync of the view, or a scan while not watching. */
  private async readAll(): Promise<ScannedKey[]> {
    const keys = await this.bucket.listKeys(ITEM_PREFIX);
    const out: ScannedKey[] = [];
    for (let i = 0; i < keys.length; i += SCAN_CONCURRENCY) {
      const batch = keys.slice(i, i + SCAN_CONCURRENCY);
      const entries = await Promise.all(batch.map((key) => this.readForScan(key)));
      for (const entry of entries) if (entry !== null) out.push(entry);
    }
    return out;
  }

  private async readForScan(key: string): Promise<ScannedKey | null> {
    try {
      const entry = await this.items.get(key);
      return entry === null
        ? null
        : { key, revision: entry.revision, change: { kind: 'put', value: entry.value } };
    } catch (err: unknown) {
      // Never silently skipped: the view keeps it as corrupt, logged on every scan until fixed.
      if (err instanceof KvCorruptValueError) {
        return { key, revision: err.revision, change: { kind: 'corrupt', reason: err.message } };
      }
      throw err;
    }
  }

  /** Tells the view what this process wrote, so its next pass need not wait for the watch. */
  private noted(key: string, value: OutboxItemRecord, revision: number | null): number | null {
    if (revision !== null) this.feed.note(key, revision, { kind: 'put', value });
    return revision;
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    if (this.halted) throw new OutboxHaltedError('outbox worker halted');
    return run();
  }
}
