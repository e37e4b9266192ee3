import { errorMessage } from '@opscrew/contracts';
import { type KV, type KvEntry, KvWatchInclude, type QueuedIterator } from 'nats';

/** The warn half of a Nest Logger (tests pass a recorder). */
export interface WatchedViewLogger {
  warn(message: string): void;
}

export interface KvWatchedViewOptions<V> {
  readonly kv: Pick<KV, 'watch'>;
  /** The watch's key filter (`>` for the whole bucket, `prefix.>` for some of it). */
  readonly key: string;
  /** A fresh, empty view. */
  readonly createView: () => V;
  /** Reads every key once into `view` (a full scan). */
  readonly scanInto: (view: V) => Promise<void>;
  /** One watched entry into `view`; the view's revision rule decides if it is newer. */
  readonly applyWatched: (view: V, entry: KvEntry) => void;
  /** Starts the log lines: `${label} watch ended; …`. */
  readonly label: string;
  readonly logger: WatchedViewLogger;
  /** A view older than this is rebuilt from a full scan even while its watch runs. */
  readonly maxAgeMs: number;
  /** A view that heard nothing for this long is rebuilt (its watch is presumed dead). */
  readonly quietMs?: number;
  /** A monotonic clock in ms (the view's age is a cache's, not the domain's time). */
  readonly now: () => number;
  /** Starts closed: every read is a full scan until open() (only a running worker watches). */
  readonly closed?: boolean;
}

/**
 * A KV bucket (or part of it) mirrored in memory by a watch, so a reader reads memory instead of
 * listing the bucket and reading every key (1 + N requests) each time.
 *
 * (Re)start — the first read, or the first read after the watch ended — is a resync: the watch
 * is opened FIRST, updates only, then every key is read once (the scan), both into a fresh view.
 * Whatever changes while the scan runs reaches the view through the watch, and the view's
 * revision rule sorts out which of the two is newer. Not the watch's own initial values: their
 * "initialized" signal is derived from pending counts and can never fire while keys are being
 * updated or purged (the hang of `kv.keys()`, nats-server#3481).
 *
 * A watch that ends (an error, a lost consumer) is logged and the next read resyncs; so does a
 * view older than `maxAgeMs` (what no watch tells: a purge, a TTL expiry) or silent for `quietMs`.
 * When the bucket cannot be watched (refused, a connection hiccup) a read is a full scan, logged
 * once per outage. While closed nothing is watched and every read is a full scan.
 */
export class KvWatchedView<V> {
  private view: V | null = null;
  /** When the view's resync started (ms of `now`). */
  private loadedAt = 0;
  /** When the current watch last delivered an entry (or the view was installed). */
  private heardAt = 0;
  /** The view being resynced (null otherwise): a user's own writes must land in it too. */
  private pending: V | null = null;
  private resyncing: Promise<V> | null = null;
  private watcher: QueuedIterator<KvEntry> | null = null;
  private closed: boolean;
  /** Watches that ended, so a resync does not install one that died while the scan ran. */
  private readonly ended = new WeakSet<QueuedIterator<KvEntry>>();
  /** Set while opening a watch fails, so that is logged once per outage. */
  private unwatchable = false;
  private resyncCount = 0;

  constructor(private readonly options: KvWatchedViewOptions<V>) {
    this.closed = options.closed ?? false;
  }

  /** Watched resyncs whose scan completed (the first start included). */
  get resyncs(): number {
    return this.resyncCount;
  }

  /** The installed view, kept by the watch; null when there is none. */
  get current(): V | null {
    return this.view;
  }

  /** The view a resync is filling right now; null when none runs. */
  get loading(): V | null {
    return this.pending;
  }

  /** The live view, rebuilt first when missing, too old or too quiet; a full scan while closed. */
  async read(): Promise<V> {
    const { now, maxAgeMs, quietMs } = this.options;
    if (this.closed) return this.scanned(this.options.createView());
    const at = now();
    const current = this.view;
    const fresh =
      current !== null &&
      at - this.loadedAt < maxAgeMs &&
      (quietMs === undefined || at - this.heardAt < quietMs);
    return fresh ? current : this.resync();
  }

  /** Watches again from the next read on. */
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

  private resync(): Promise<V> {
    this.resyncing ??= this.load().finally(() => {
      this.resyncing = null;
      this.pending = null;
    });
    return this.resyncing;
  }

  private async load(): Promise<V> {
    const { kv, key, label, logger, now } = this.options;
    const next = this.options.createView();
    const startedAt = now();
    this.pending = next;
    let watcher: QueuedIterator<KvEntry>;
    try {
      watcher = await kv.watch({ key, include: KvWatchInclude.UpdatesOnly });
    } catch (err: unknown) {
      // No watch: this read is a full scan and the next read tries again. Said once, not every read.
      if (!this.unwatchable) {
        logger.warn(`${label}: cannot watch the bucket (${errorMessage(err)}); scanning it`);
      }
      this.unwatchable = true;
      return this.scanned(next);
    }
    this.unwatchable = false;
    void this.pump(watcher, next);
    try {
      await this.options.scanInto(next);
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
    this.heardAt = startedAt;
    replaced?.stop();
    return next;
  }

  private async pump(watcher: QueuedIterator<KvEntry>, target: V): Promise<void> {
    const { label, logger, now, applyWatched } = this.options;
    try {
      for await (const entry of watcher) {
        if (this.watcher === watcher) this.heardAt = now();
        applyWatched(target, entry);
      }
    } catch (err: unknown) {
      logger.warn(`${label} watch failed: ${errorMessage(err)}`);
    }
    // Ended (an error, or the server dropped the consumer): the view no longer follows the
    // bucket, so the next read resyncs. A watch stopped on purpose was already replaced.
    this.ended.add(watcher);
    if (this.watcher !== watcher) return;
    logger.warn(`${label} watch ended; resyncing on the next read`);
    this.drop();
  }

  private async scanned(view: V): Promise<V> {
    await this.options.scanInto(view);
    return view;
  }
}
