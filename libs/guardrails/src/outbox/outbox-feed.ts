import { type Logger } from '@nestjs/common';
import { type OutboxItemRecord } from '@opscrew/contracts';
import { KvCorruptValueError, KvWatchedView, type TypedKv } from '@opscrew/messaging';
import { type KV, type KvEntry } from 'nats';
import { type Item } from './outbox-item';
import { ITEM_PREFIX } from './outbox-keys';
import { OutboxView, type ViewChange } from './outbox-view';

/**
 * A view older than this is rebuilt from a full scan even while its watch runs: the one thing a
 * watch never sees is another replica's stream purge (the sweeper's forget), and a consumer the
 * server lost is only noticed by the client after missed heartbeats. Every 5 minutes bounds that
 * drift for one full read, where the outbox used to make several every second.
 */
export const VIEW_MAX_AGE_MS = 5 * 60_000;

/** A key as a full scan read it: a change at a revision (a deleted key is simply not listed). */
export interface ScannedKey {
  readonly key: string;
  readonly revision: number;
  readonly change: ViewChange;
}

/**
 * Keeps an OutboxView live from a KV watch of the items (KvWatchedView: watch first, then one
 * scan; a watch that ends or a view past `maxAgeMs` is resynced on the next read), so a lane's
 * pass reads memory instead of listing the bucket and reading every key (1 + N requests, several
 * times a pass). The outbox rewrites its items all the time, which is why the watch's own initial
 * values are never used.
 *
 * Before open() and after close() (a worker not started, stopped or halted) nothing is watched and
 * every read is a full scan: admin queries still answer, and no consumer outlives the worker.
 */
export class OutboxFeed {
  private readonly watched: KvWatchedView<OutboxView>;

  constructor(
    kv: Pick<KV, 'watch'>,
    private readonly items: TypedKv<OutboxItemRecord>,
    scan: () => Promise<ScannedKey[]>,
    logger: Logger,
    maxAgeMs = VIEW_MAX_AGE_MS,
    /** A monotonic clock in ms (the view's age is a cache's, not the outbox's domain time). */
    now: () => number = () => performance.now(),
  ) {
    this.watched = new KvWatchedView<OutboxView>({
      kv,
      key: `${ITEM_PREFIX}>`,
      createView: () => new OutboxView(),
      scanInto: async (view) => {
        for (const { key, revision, change } of await scan()) view.apply(key, revision, change);
      },
      applyWatched: (view, entry) =>
        view.applyWatched(entry.key, entry.revision, this.change(entry)),
      label: 'outbox',
      logger,
      maxAgeMs,
      now,
      // Until open(): only a running worker watches (a CLI's one depth() query need not).
      closed: true,
    });
  }

  /** Resyncs done (the first start included): for tests and the note's measurements. */
  get resyncs(): number {
    return this.watched.resyncs;
  }

  /** Every item as the view has it, plus the errors of the corrupt ones. */
  async read(): Promise<{ items: Item[]; corrupt: string[] }> {
    return (await this.watched.read()).snapshot();
  }

  /** What this process just wrote (or forgot), so its next pass sees it without the watch. */
  note(key: string, revision: number, change: ViewChange): void {
    // The view being resynced gets it too, so the swap loses none.
    this.watched.current?.apply(key, revision, change);
    this.watched.loading?.apply(key, revision, change);
  }

  noteForget(key: string, revision: number): void {
    this.watched.current?.forget(key, revision);
    this.watched.loading?.forget(key, revision);
  }

  /** Watches again from the next read on (a restarted worker). */
  open(): void {
    this.watched.open();
  }

  /** Stops the watch; reads become full scans until open(). */
  close(): void {
    this.watched.close();
  }

  private change(entry: KvEntry): ViewChange {
    try {
      const decoded = this.items.decodeEntry(entry);
      return decoded === null ? { kind: 'gone' } : { kind: 'put', value: decoded.value };
    } catch (err: unknown) {
      if (err instanceof KvCorruptValueError) return { kind: 'corrupt', reason: err.message };
      throw err;
    }
  }
}
