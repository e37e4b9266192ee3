import { type KV, type KvWatchOptions, type QueuedIterator, type KvEntry } from 'nats';
import { KV_BUCKETS } from '@opscrew/contracts';
import { KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { type LockWrite } from './fault-accounting';

interface LeaseFields {
  holder?: unknown;
  acquired_at?: unknown;
  expires_at?: unknown;
}

/**
 * Every write to the `locks` bucket while the experiment runs, in order. The bucket keeps one
 * revision per key (only the current lease matters to the crew), so its history cannot show
 * two holders after the fact: a watcher from the start can.
 */
export class LockWatcher {
  readonly writes: LockWrite[] = [];
  private iterator: QueuedIterator<KvEntry> | null = null;

  static async start(bus: NatsConnectionService): Promise<LockWatcher> {
    const watcher = new LockWatcher();
    const kv: KV = await new KvFactory(bus).raw(KV_BUCKETS.locks);
    const options: KvWatchOptions = { key: '>' };
    watcher.iterator = await kv.watch(options);
    void watcher.drain(watcher.iterator);
    return watcher;
  }

  stop(): void {
    this.iterator?.stop();
    this.iterator = null;
  }

  private async drain(iterator: QueuedIterator<KvEntry>): Promise<void> {
    try {
      for await (const entry of iterator) {
        const at = Date.now();
        if (entry.operation !== 'PUT') {
          this.writes.push({ key: entry.key, op: 'del', at });
          continue;
        }
        const lease = parse(entry.string());
        this.writes.push({
          key: entry.key,
          op: 'put',
          at,
          ...(typeof lease.holder === 'string' ? { holder: lease.holder } : {}),
          ...(typeof lease.acquired_at === 'string'
            ? { acquired_at: Date.parse(lease.acquired_at) }
            : {}),
          ...(typeof lease.expires_at === 'string'
            ? { expires_at: Date.parse(lease.expires_at) }
            : {}),
        });
      }
    } catch {
      // The bus went away (a NATS experiment): the watch ends; the writes so far stand.
    }
  }
}

function parse(text: string): LeaseFields {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}
