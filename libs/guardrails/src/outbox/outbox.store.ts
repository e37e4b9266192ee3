import { type Logger } from '@nestjs/common';
import {
  type OutboxItemRecord,
  OutboxItemRecord as OutboxItemRecordClass,
  OutboxRateWindowRecord,
} from '@opscrew/contracts';
import { KvCorruptValueError, TypedKv } from '@opscrew/messaging';
import { type OutboxBucket } from './outbox-bucket';
import { type Item, OutboxHaltedError } from './outbox-item';
import { ITEM_PREFIX } from './outbox-keys';

/** Item gets in flight at once during a scan: enough to hide KV latency, far below NATS' limits. */
const SCAN_CONCURRENCY = 32;

/**
 * The outbox's access to its KV bucket: items read, created, changed by CAS on the revision read,
 * listed and forgotten. After halt() every write throws (a halted worker acts like a dead
 * process: whatever it was doing must not land), except `updateUnguarded`, which shutdown uses to hand
 * claims back after abandoning a delivery.
 */
export class OutboxStore {
  readonly items: TypedKv<OutboxItemRecord>;
  /** The rate windows' records, in the same bucket (see RateWindow). */
  readonly windows: TypedKv<OutboxRateWindowRecord>;
  private halted = false;

  constructor(
    private readonly bucket: OutboxBucket,
    private readonly logger: Logger,
  ) {
    this.items = new TypedKv(bucket.kv, 'outbox', { class: OutboxItemRecordClass });
    this.windows = new TypedKv(bucket.kv, 'outbox', { class: OutboxRateWindowRecord });
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /** From now on every write throws OutboxHaltedError (a crash, or an abandoned shutdown). */
  halt(): void {
    this.halted = true;
  }

  /** Creates an item; null when its key exists (the same side effect was enqueued before). */
  create(key: string, record: OutboxItemRecord): Promise<number | null> {
    return this.items.create(key, record);
  }

  /** Creates an item unless halted (the worker's own items: storm summaries). */
  createGuarded(key: string, record: OutboxItemRecord): Promise<number | null> {
    return this.write(() => this.items.create(key, record));
  }

  async get(key: string): Promise<Item | null> {
    const entry = await this.items.get(key);
    return entry === null ? null : { key, ...entry };
  }

  /** CAS on `revision`: the new revision, or null when the item changed since it was read. */
  update(key: string, next: OutboxItemRecord, revision: number): Promise<number | null> {
    return this.write(() => this.items.update(key, next, revision));
  }

  /**
   * Like update, also after halt(): shutdown hands claims back even after abandoning calls, and
   * an operator's retry is not the worker's write.
   */
  updateUnguarded(key: string, next: OutboxItemRecord, revision: number): Promise<number | null> {
    return this.items.update(key, next, revision);
  }

  /** Removes an item still at `revision` (a re-enqueue since then survives). */
  forget(key: string, revision: number): Promise<void> {
    return this.write(() => this.bucket.forget(key, revision));
  }

  /** Every item. A corrupt one is logged at error (every pass until fixed) and left out. */
  async scan(): Promise<Item[]> {
    const keys = await this.bucket.listKeys(ITEM_PREFIX);
    const out: Item[] = [];
    for (let i = 0; i < keys.length; i += SCAN_CONCURRENCY) {
      const batch = keys.slice(i, i + SCAN_CONCURRENCY);
      const entries = await Promise.all(batch.map((key) => this.readForScan(key)));
      for (const entry of entries) if (entry !== null) out.push(entry);
    }
    return out;
  }

  private async readForScan(key: string): Promise<Item | null> {
    try {
      return await this.get(key);
    } catch (err: unknown) {
      if (err instanceof KvCorruptValueError) {
        // Never silently skipped: a corrupt item is an error every pass until fixed.
        this.logger.error(err.message);
        return null;
      }
      throw err;
    }
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    if (this.halted) throw new OutboxHaltedError('outbox worker halted');
    return run();
  }
}
