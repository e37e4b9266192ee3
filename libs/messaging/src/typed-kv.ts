// Over ~300 lines: one typed facade over a KV bucket (get, create, update, mutate with its single CAS loop,
// keys, views, decoding) — its callers rely on every write going through the same checks.
import {
  checkPlain,
  type ClassType,
  isKvKey,
  validateCompiled,
  type Validated,
  errorMessage,
} from '@opscrew/contracts';
import { type KV, type KvEntry } from 'nats';
import { type BackoffOptions, backoffDelay } from './backoff';
import {
  InvalidKvKeyError,
  KvContentionError,
  KvCorruptValueError,
  KvInvalidValueError,
} from './kv-errors';
import {
  type KvDecide,
  KV_MUTATE_BACKOFF,
  KV_MUTATE_MAX_ATTEMPTS,
  type KvMutateOptions,
  type KvMutation,
  type KvRevisioned,
} from './kv-mutation';
import { isWrongLastSequence } from './nats-errors';

/** How values of a bucket are checked: a class-validator class, or a function. */
export type KvSchema<T> =
  { class: ClassType<T & object> } | { validate: (raw: unknown) => Validated<T> };

export interface KvItem<T> extends KvRevisioned<T> {
  key: string;
}

const UTF8 = new TextEncoder();

/** A fallback `kv.keys()` listing that has not finished by then is stuck, not slow. */
const KEYS_TIMEOUT_MS = 5_000;

/**
 * A KV bucket whose values are JSON validated on read and on write. CAS
 * failures are values (`null`/`false`), not exceptions: "someone else won" is
 * an expected outcome for `create`, `update` and `delete(previousSeq)`.
 * `mutate` is the one read-decide-CAS loop built on them: use it rather than a loop of your own.
 */
export class TypedKv<T> {
  private readonly validateValue: (raw: unknown) => Validated<T>;
  /** The check before a write: the same verdict and wording as on read, without building the value. */
  private readonly checkWrite: (raw: unknown) => { ok: true } | { ok: false; reason: string };

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
      this.validateValue = (raw) => validateCompiled(cls, raw);
      // Every CAS write re-checks its record: compiled once, not class-validator's walk each time.
      this.checkWrite = (raw) => checkPlain(cls, raw);
    } else {
      this.validateValue = schema.validate;
      this.checkWrite = schema.validate;
    }
  }

  /**
   * The same bucket read and written with another schema: keys of one kind beside another's
   * (a bucket's due index beside its items, restart marks beside runs). Same key lister.
   */
  view<U>(schema: KvSchema<U>): TypedKv<U> {
    return new TypedKv<U>(this.kv, this.bucket, schema, this.listKeys);
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

  /**
   * The one read-decide-write loop: reads the entry, asks `decide` what to do with it, and
   * writes that by compare-and-swap (`create` when absent, `update`/`delete` on the revision
   * read). When another writer got there first, it reads again and decides again on what the
   * winner wrote — so `decide` must be pure (see KvDecide): it may run several times.
   * Bounded by one policy (KV_MUTATE_MAX_ATTEMPTS rounds, jittered KV_MUTATE_BACKOFF pauses);
   * past it, KvContentionError (transient) naming bucket, key and rounds. An error `decide`
   * throws, or a corrupt stored value, propagates at once: no write happens.
   */
  async mutate<R>(
    key: string,
    decide: KvDecide<T, R>,
    options: KvMutateOptions<T> = {},
  ): Promise<KvMutation<T, R>> {
    this.checkKey(key);
    const maxAttempts = options.max_attempts ?? KV_MUTATE_MAX_ATTEMPTS;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(
        `kv ${this.bucket}: mutate of "${key}" needs max_attempts ≥ 1, got ${maxAttempts}`,
      );
    }
    const backoff = options.backoff ?? KV_MUTATE_BACKOFF;
    const sleep = options.sleep ?? pause;
    const now = options.now ?? performance.now.bind(performance);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const roundStarted = now();
      const current =
        attempt === 1 && options.current !== undefined ? options.current : await this.get(key);
      const decision = decide(current);
      if ('keep' in decision) {
        return { result: decision.keep, entry: current, written: false, attempts: attempt };
      }
      if ('put' in decision) {
        const revision =
          current === null
            ? await this.create(key, decision.put)
            : await this.update(key, decision.put, current.revision);
        if (revision !== null) {
          const entry = { value: decision.put, revision };
          return { result: decision.result, entry, written: true, attempts: attempt };
        }
      } else {
        if (current === null) {
          return { result: decision.result, entry: null, written: false, attempts: attempt };
        }
        if (await this.delete(key, current.revision)) {
          return { result: decision.result, entry: null, written: true, attempts: attempt };
        }
      }
      // Another writer won this round: step aside a jittered moment so the next is not a tie.
      if (attempt < maxAttempts) {
        await sleep(contentionPause(attempt, now() - roundStarted, backoff, options.random));
      }
    }
    const contention = new KvContentionError(this.bucket, key, maxAttempts);
    throw options.onContention ? options.onContention(contention) : contention;
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

  /**
   * An entry read elsewhere (a watch) decoded like `get` does: null for a delete or purge marker,
   * KvCorruptValueError when the value does not parse or validate.
   */
  decodeEntry(entry: KvEntry): KvRevisioned<T> | null {
    return this.decode(entry);
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
        `not JSON (${errorMessage(err)})`,
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
    const result = this.checkWrite(JSON.parse(text) as unknown);
    if (!result.ok) {
      throw new KvInvalidValueError(this.bucket, key, result.reason);
    }
    return UTF8.encode(text);
  }

  private checkKey(key: string): void {
    if (!isKvKey(key)) {
      throw new InvalidKvKeyError(this.bucket, key);
    }
  }
}

/**
 * The pause after a lost round. The backoff's jitter spreads contenders over a few ms — enough
 * while a round (read + CAS) takes about that long. On a loaded machine a round can take longer
 * than the whole backoff cap, and then every loser comes back inside the same round again:
 * eight writers on one key lost 20 rounds in a row at a load of 8 per core. So once a round is
 * slower than the cap, a further random share of that round's length is added: contenders
 * spread over the time one round really takes.
 */
export function contentionPause(
  attempt: number,
  roundMs: number,
  backoff: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = backoffDelay(attempt, backoff, random);
  return roundMs > backoff.max_delay_ms ? base + Math.round(random() * roundMs) : base;
}

function pause(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
