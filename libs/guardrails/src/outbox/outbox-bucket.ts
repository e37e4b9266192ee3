import { KV_BUCKETS } from '@opscrew/contracts';
import { bucketStreamName, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { type KV } from 'nats';

/**
 * How the outbox lists and forgets the keys of its bucket.
 *
 * Not `kv.keys()`: that iterator (an ordered consumer that stops when a
 * message says "0 pending") can wait forever when entries are updated or
 * deleted while it runs (nats-server#3481, nats.js does the same), and the
 * outbox rewrites its items constantly. Listing the stream's subjects is one
 * request that always answers.
 */
export interface OutboxBucket {
  readonly kv: KV;
  /** Keys under a prefix; may include deleted ones (they read back as null). */
  listKeys(prefix: string): Promise<string[]>;
  /** Removes a key's value if it is still at `revision`, without leaving a delete marker. */
  forget(key: string, revision: number): Promise<void>;
}

/** The outbox bucket of a connection (namespace-mapped), listed through stream info. */
export async function openOutboxBucket(bus: NatsConnectionService): Promise<OutboxBucket> {
  const kv = await new KvFactory(bus).raw(KV_BUCKETS.outbox);
  const wire = bus.subjects.bucket(KV_BUCKETS.outbox);
  const stream = bucketStreamName(wire);
  const prefix = `$KV.${wire}.`;
  return {
    kv,
    async listKeys(keyPrefix: string): Promise<string[]> {
      const jsm = await bus.jetstreamManager();
      const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}${keyPrefix}>` });
      return Object.keys(info.state.subjects ?? {})
        .map((subject) => subject.slice(prefix.length))
        .sort();
    },
    async forget(key: string, revision: number): Promise<void> {
      const jsm = await bus.jetstreamManager();
      // Purges the messages of this key below revision + 1: the value we read, and
      // nothing written after it (a re-enqueue in between survives).
      await jsm.streams.purge(stream, { filter: `${prefix}${key}`, seq: revision + 1 });
    },
  };
}

/**
 * A bucket over a plain KV handle (tests with FakeKv, tools): `keys()` with a
 * time limit, so a stuck listing costs one pass instead of the worker.
 */
export function kvOutboxBucket(kv: KV, listTimeoutMs = 5000): OutboxBucket {
  return {
    kv,
    async listKeys(keyPrefix: string): Promise<string[]> {
      const keys: string[] = [];
      let timer: NodeJS.Timeout | undefined;
      const iterator = await kv.keys();
      const collect = (async (): Promise<void> => {
        for await (const key of iterator) if (key.startsWith(keyPrefix)) keys.push(key);
      })();
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          iterator.stop();
          reject(new Error(`outbox: listing keys took longer than ${listTimeoutMs} ms`));
        }, listTimeoutMs);
      });
      try {
        await Promise.race([collect, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return keys.sort();
    },
    async forget(key: string, revision: number): Promise<void> {
      try {
        await kv.delete(key, { previousSeq: revision });
      } catch {
        // Changed since it was read (re-enqueued): it is not ours to forget any more.
      }
    },
  };
}
