import { type ClassType, isKvKey, validatePlain, type Validated } from '@opscrew/contracts';
import { type KV, type KvEntry } from 'nats';
import { InvalidKvKeyError, KvCorruptValueError, KvInvalidValueError } from './kv-errors';
import { isWrongLastSequence } from './nats-errors';

/** How values of a bucket are checked: a class-validator class, or a function. */
export type KvSchema<T> =
  { class: ClassType<T & object> } | { validate: (raw: unknown) => Validated<T> };

export interface KvRevisioned<T> {
  value: T;
  /** The entry's revision: pass it to `update`/`delete` for compare-and-swap. */
  revision: number;
}

export interface KvItem<T> extends KvRevisioned<T> {
  key: string;
}

/** A fallback `kv.keys()` listing that has not finished by then is stuck, not slow. */
const KEYS_TIMEOUT_MS = 5_000;

/**
 * A KV bucket whose values are JSON validated on read and on write. CAS
 * failures are values (`null`/`false`), not exceptions: "someone else won" is
 * an expected outcome for `create`, `update` and `delete(previousSeq)`.
 */
export class TypedKv<T> {
  private readonly validateValue: (raw: unknown) => Validated<T>;

  constructor(
    private readonly kv: KV,
    /** Name used in errors (the logical bucket name). */
    readonly bucket: string,
    schema: KvSchema<T>,
    /** Lists the bucket's keys without `kv.keys()` (see candidateKeys). */
    private readonly listKeys?: () => Promise<string[]>,
  ) {
    if ('class' in schema) {
      const cls = schema.class;
      this.validateValue = (raw) => validatePlain(cls, raw);
    } else {
      this.validateValue = schema.validate;
    }
  }

  /** The current value, or null when the key is missing or deleted. */
  async get(key: string): Promise<KvRevisioned<T> | null> {
    this.checkKey(key);
    const entry = await this.kv.get(key);
    return entry === null ? null : this.decode(entry);
  }

  /** Writes only if the key does not exist (or was deleted); null when it exists. */
  async create(key: string, value: T): Promise<number | null> {
    const data = this.encode(key, value);
    try {
      return await this.kv.create(key, data);
    } catch (err: unknown) {
      if (isWrongLastSequence(err)) return null;
      throw err;
    }
  }

  /** Compare-and-swap: writes only if `revision` is still the latest; null when stale. */
  async update(key: string, value: T, revision: number): Promise<number | null> {
    if (!Number.isSafeInteger(revision) || revision < 1) {
      throw new Error(
        `kv ${this.bucket}: update of "${key}" needs a revision ≥ 1, got ${revision}`,
      );
    }
    const data = this.encode(key, value);
    try {
      return await this.kv.update(key, data, revision);
    } catch (err: unknown) {
      if (isWrongLastSequence(err)) return null;
      throw err;
    }
  }

  /** Unconditional write. */
  async put(key: string, value: T): Promise<number> {
    return this.kv.put(key, this.encode(key, value));
  }

  /**
   * Deletes (leaves a delete marker; history keeps older values). With
   * `previousSeq`, only if that is still the latest revision: false otherwise.
   */
  async delete(key: string, previousSeq?: number): Promise<boolean> {
    this.checkKey(key);
    try {
      await this.kv.delete(key, previousSeq === undefined ? undefined : { previousSeq });
      return true;
    } catch (err: unknown) {
      if (previousSeq !== undefined && isWrongLastSequence(err)) return false;
      throw err;
    }
  }

  /** Live keys (deleted ones excluded); values are not read or validated. */
  async keys(): Promise<string[]> {
    const live: string[] = [];
    for (const key of await this.candidateKeys()) {
      const entry = await this.kv.get(key);
      if (entry !== null && entry.operation === 'PUT') live.push(key);
    }
    return live;
  }

  /** Every live entry, validated. A corrupted one throws (it names the key). */
  async values(): Promise<KvItem<T>[]> {
    const items: KvItem<T>[] = [];
    for (const key of await this.candidateKeys()) {
      const current = await this.get(key);
      if (current !== null) {
        items.push({ key, ...current });
      }
    }
    return items;
  }

  /**
   * Keys that may hold a value (deleted ones included; `get` sorts them out).
   * With a lister (KvFactory gives one: the stream's subjects, one request that
   * always answers) rather than `kv.keys()`, whose iterator can wait forever
   * when entries change while it runs (nats-server#3481) — and leases, outbox
   * items and fingerprints change all the time.
   */
  private async candidateKeys(): Promise<string[]> {
    if (this.listKeys) return (await this.listKeys()).sort();
    const keys: string[] = [];
    const iterator = await this.kv.keys();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        iterator.stop();
        reject(new Error(`kv ${this.bucket}: listing keys took longer than ${KEYS_TIMEOUT_MS} ms`));
      }, KEYS_TIMEOUT_MS);
    });
    try {
      await Promise.race([
        (async () => {
          for await (const key of iterator) keys.push(key);
        })(),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
    return keys.sort();
  }

  private decode(entry: KvEntry): KvRevisioned<T> | null {
    if (entry.operation === 'DEL' || entry.operation === 'PURGE') {
      return null;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(entry.string()) as unknown;
    } catch (err: unknown) {
      throw new KvCorruptValueError(
        this.bucket,
        entry.key,
        entry.revision,
        `not JSON (${(err as Error).message})`,
      );
    }
    const result = this.validateValue(raw);
    if (!result.ok) {
      throw new KvCorruptValueError(this.bucket, entry.key, entry.revision, result.reason);
    }
    return { value: result.value, revision: entry.revision };
  }

  private encode(key: string, value: T): Uint8Array {
    this.checkKey(key);
    const text = JSON.stringify(value);
    const result = this.validateValue(JSON.parse(text) as unknown);
    if (!result.ok) {
      throw new KvInvalidValueError(this.bucket, key, result.reason);
    }
    return new TextEncoder().encode(text);
  }

  private checkKey(key: string): void {
    if (!isKvKey(key)) {
      throw new InvalidKvKeyError(this.bucket, key);
    }
  }
}
