import { type KV, type KvEntry, NatsError } from 'nats';
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
    this.entries.set(key, { value, revision: this.seq, operation });
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

export function wrongLastSequence(current: number): NatsError {
  const err = new NatsError(`wrong last sequence: ${current}`, '400');
  err.api_error = {
    code: 400,
    err_code: JS_ERR_WRONG_LAST_SEQUENCE,
    description: `wrong last sequence: ${current}`,
  };
  return err;
}
