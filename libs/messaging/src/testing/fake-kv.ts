import { type KV, type KvEntry, type KvWatchOptions, KvWatchInclude, NatsError } from 'nats';
import { JS_ERR_WRONG_LAST_SEQUENCE } from '../nats-errors';

interface Stored {
  value: Uint8Array;
  revision: number;
  operation: 'PUT' | 'DEL' | 'PURGE';
}

/**
 * In-memory stand-in for a NATS KV bucket with the same CAS semantics: one
 * sequence for the whole bucket, `create` refused while a live value exists,
 * `update`/`delete(previousSeq)` refused on a stale revision.
 */
export class FakeKv {
  private seq = 0;
  private readonly entries = new Map<string, Stored>();
  private readonly watchers = new Set<FakeWatch>();
  /** Called before each write; lets a test interleave a competing writer. */
  beforeWrite: ((key: string) => Promise<void> | void) | null = null;

  constructor(readonly bucket = 'fake') {}

  asKv(): KV {
    return this as unknown as KV;
  }

  get(key: string): Promise<KvEntry | null> {
    const stored = this.entries.get(key);
    return Promise.resolve(stored === undefined ? null : this.entry(key, stored));
  }

  async create(key: string, data: Uint8Array): Promise<number> {
    await this.beforeWrite?.(key);
    const stored = this.entries.get(key);
    if (stored !== undefined && stored.operation === 'PUT') {
      throw wrongLastSequence(stored.revision);
    }
    return this.write(key, data, 'PUT');
  }

  async update(key: string, data: Uint8Array, revision: number): Promise<number> {
    await this.beforeWrite?.(key);
    this.check(key, revision);
    return this.write(key, data, 'PUT');
  }

  async put(key: string, data: Uint8Array): Promise<number> {
    await this.beforeWrite?.(key);
    return this.write(key, data, 'PUT');
  }

  async delete(key: string, opts?: { previousSeq?: number }): Promise<void> {
    await this.beforeWrite?.(key);
    if (opts?.previousSeq !== undefined) {
      this.check(key, opts.previousSeq);
    }
    this.write(key, new Uint8Array(), 'DEL');
  }

  keys(): Promise<AsyncIterable<string>> {
    const live = [...this.entries].filter(([, s]) => s.operation === 'PUT').map(([k]) => k);
    return Promise.resolve(
      (async function* () {
        await Promise.resolve();
        yield* live;
      })(),
    );
  }

  /**
   * Like `kv.watch`: the last value of each matching key first (unless updates only), then every
   * write in order. Keys filter as subjects do only for one trailing `>` (all this fake needs).
   */
  watch(opts: KvWatchOptions = {}): Promise<FakeWatch> {
    const filter = typeof opts.key === 'string' ? opts.key : '>';
    const prefix = filter.endsWith('>') ? filter.slice(0, -1) : null;
    const matches = (key: string): boolean =>
      prefix === null ? key === filter : key.startsWith(prefix);
    const watch = new FakeWatch(matches, () => this.watchers.delete(watch));
    if (opts.include !== KvWatchInclude.UpdatesOnly) {
      const current = [...this.entries].sort(([, a], [, b]) => a.revision - b.revision);
      for (const [key, stored] of current) watch.offer(this.entry(key, stored));
    }
    this.watchers.add(watch);
    return Promise.resolve(watch);
  }

  /** Test helper: ends every watch, with `error` (a lost consumer) or cleanly. */
  endWatches(error?: Error): void {
    for (const watch of [...this.watchers]) watch.end(error);
  }

  /** Test helper: removes a key without telling the watches (a stream purge does that). */
  purgeSilently(key: string): void {
    this.entries.delete(key);
  }

  /** Test helper: write raw bytes (e.g. garbage) bypassing validation. */
  putRaw(key: string, text: string): number {
    return this.write(key, new TextEncoder().encode(text), 'PUT');
  }

  revisionOf(key: string): number | undefined {
    return this.entries.get(key)?.revision;
  }

  private check(key: string, revision: number): void {
    const current = this.entries.get(key)?.revision ?? 0;
    if (current !== revision) {
      throw wrongLastSequence(current);
    }
  }

  private write(key: string, value: Uint8Array, operation: Stored['operation']): number {
    this.seq += 1;
    const stored = { value, revision: this.seq, operation };
    this.entries.set(key, stored);
    for (const watch of this.watchers) watch.offer(this.entry(key, stored));
    return this.seq;
  }

  private entry(key: string, stored: Stored): KvEntry {
    const text = new TextDecoder().decode(stored.value);
    return {
      bucket: this.bucket,
      key,
      value: stored.value,
      created: new Date(),
      revision: stored.revision,
      operation: stored.operation,
      length: stored.value.length,
      json: <T>() => JSON.parse(text) as T,
      string: () => text,
    };
  }
}

/** A watch of FakeKv: an async iterator of entries, stopped by stop() or ended by the fake. */
export class FakeWatch implements AsyncIterable<KvEntry> {
  private readonly queue: KvEntry[] = [];
  private wake: (() => void) | null = null;
  private done = false;
  private error: Error | undefined;

  constructor(
    private readonly matches: (key: string) => boolean,
    private readonly onEnd: () => void,
  ) {}

  offer(entry: KvEntry): void {
    if (this.done || !this.matches(entry.key)) return;
    this.queue.push(entry);
    this.wake?.();
  }

  stop(): void {
    this.end();
  }

  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.onEnd();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<KvEntry> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}

export function wrongLastSequence(current: number): NatsError {
  const err = new NatsError(`wrong last sequence: ${current}`, '400');
  err.api_error = {
    code: 400,
    err_code: JS_ERR_WRONG_LAST_SEQUENCE,
    description: `wrong last sequence: ${current}`,
  };
  return err;
}
