import { type Logger } from '@nestjs/common';
import { type OutboxItemRecord, errorMessage } from '@opscrew/contracts';
import { KvCorruptValueError, type TypedKv } from '@opscrew/messaging';
import { type KV, type KvEntry, KvWatchInclude, type QueuedIterator } from 'nats';
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
 * Keeps an OutboxView live from a KV watch of the items, so a lane's pass reads memory instead
 * of listing the bucket and reading every key (1 + N requests, several times a pass).
 *
 * (Re)start — the first read, or the first read after the watch ended — is a resync: the watch
 * is opened FIRST, updates only, then every key is read once (the scan), both into a fresh view.
 * Whatever changes while the scan runs reaches the view through the watch, and the revision rule
 * of OutboxView sorts out which of the two is newer. Not the watch's own initial values: their
 * "initialized" signal is derived from pending counts and can never fire while keys are being
 * updated or purged (the hang of `kv.keys()`, nats-server#3481), and the outbox rewrites its
 * items all the time.
 *
 * A watch that ends (an error, a lost consumer) is logged and the next read resyncs. Before
 * open() and after close() (a worker not started, stopped or halted) nothing is watched and every
 * read is a full scan: admin queries still answer, and no consumer outlives the worker.
 */
export class OutboxFeed {
  private view: OutboxView | null = null;
  /** When the view's resync started (ms of `now`). */
  private loadedAt = 0;
  /** The view being resynced: own writes land in it too, so the swap loses none. */
  private pending: OutboxView | null = null;
  private resyncing: Promise<OutboxView> | null = null;
  private watcher: QueuedIterator<KvEntry> | null = null;
  /** Until open(): only a running worker watches (a CLI's one depth() query need not). */
  private closed = true;
  /** Watches that ended, so a resync does not install one that died while the scan ran. */
  private readonly ended = new WeakSet<QueuedIterator<KvEntry>>();
  /** Set while opening a watch fails, so that is logged once per outage. */
  private unwatchable = false;
  private resyncCount = 0;

  constructor(
    private readonly kv: KV,
    private readonly items: TypedKv<OutboxItemRecord>,
    private readonly scan: () => Promise<ScannedKey[]>,
    private readonly logger: Logger,
    private readonly maxAgeMs = VIEW_MAX_AGE_MS,
    /** A monotonic clock in ms (the view's age is a cache's, not the outbox's domain time). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Resyncs done (the first start included): for tests and the note's measurements. */
  get resyncs(): number {
    return this.resyncCount;
  }

  /** Every item as the view has it, plus the errors of the corrupt ones. */
  async read(): Promise<{ items: Item[]; corrupt: string[] }> {
    if (this.closed) return fromScan(await this.scan());
    const fresh = this.view !== null && this.now() - this.loadedAt < this.maxAgeMs;
    const view = fresh && this.view !== null ? this.view : await this.resync();
    return view.snapshot();
  }

  /** What this process just wrote (or forgot), so its next pass sees it without the watch. */
  note(key: string, revision: number, change: ViewChange): void {
    this.view?.apply(key, revision, change);
    this.pending?.apply(key, revision, change);
  }

  noteForget(key: string, revision: number): void {
    this.view?.forget(key, revision);
    this.pending?.forget(key, revision);
  }

  /** Watches again from the next read on (a restarted worker). */
  open(): void {
    this.closed = false;
  }

  /** Stops the watch; reads become full scans until open(). */
  close(): void {
    this.closed = true;
    this.drop();
  }

  private drop(): void {
    this.view = null;
    const watcher = this.watcher;
    this.watcher = null;
    watcher?.stop();
  }

  private resync(): Promise<OutboxView> {
    this.resyncing ??= this.load().finally(() => {
      this.resyncing = null;
      this.pending = null;
    });
    return this.resyncing;
  }

  private async load(): Promise<OutboxView> {
    const next = new OutboxView();
    const startedAt = this.now();
    this.pending = next;
    let watcher: QueuedIterator<KvEntry>;
    try {
      watcher = await this.kv.watch({
        key: `${ITEM_PREFIX}>`,
        include: KvWatchInclude.UpdatesOnly,
      });
    } catch (err: unknown) {
      // No watch (refused, a connection hiccup): this read is a full scan, as the outbox did
      // before the view, and the next read tries again. Said once, not every second.
      if (!this.unwatchable) {
        this.logger.warn(`outbox: cannot watch the bucket (${errorMessage(err)}); scanning it`);
      }
      this.unwatchable = true;
      return fromScanInto(next, await this.scan());
    }
    this.unwatchable = false;
    void this.pump(watcher, next);
    try {
      fromScanInto(next, await this.scan());
    } catch (err: unknown) {
      watcher.stop();
      throw err;
    }
    this.resyncCount += 1;
    if (this.closed || this.ended.has(watcher)) {
      // Closed while loading, or the watch died meanwhile: serve this read, keep nothing.
      watcher.stop();
      return next;
    }
    // The watch it replaces (an aged view's) goes; its pump sees it is no longer the current one.
    const replaced = this.watcher;
    this.watcher = watcher;
    this.view = next;
    this.loadedAt = startedAt;
    replaced?.stop();
    return next;
  }

  private async pump(watcher: QueuedIterator<KvEntry>, target: OutboxView): Promise<void> {
    try {
      for await (const entry of watcher)
        target.applyWatched(entry.key, entry.revision, this.change(entry));
    } catch (err: unknown) {
      this.logger.warn(`outbox watch failed: ${errorMessage(err)}`);
    }
    // Ended (an error, or the server dropped the consumer): the view no longer follows the
    // bucket, so the next read resyncs. A watch stopped on purpose was already replaced.
    this.ended.add(watcher);
    if (this.watcher !== watcher) return;
    this.logger.warn('outbox watch ended; resyncing on the next pass');
    this.drop();
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

function fromScanInto(view: OutboxView, scanned: readonly ScannedKey[]): OutboxView {
  for (const { key, revision, change } of scanned) view.apply(key, revision, change);
  return view;
}

function fromScan(scanned: readonly ScannedKey[]): { items: Item[]; corrupt: string[] } {
  return fromScanInto(new OutboxView(), scanned).snapshot();
}
