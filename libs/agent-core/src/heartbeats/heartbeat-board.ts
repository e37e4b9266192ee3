import { type HeartbeatRecord, KV_BUCKETS, parseHeartbeatKey } from '@opscrew/contracts';
import {
  KvCorruptValueError,
  type KvFactory,
  KvWatchedView,
  type TypedKv,
} from '@opscrew/messaging';
import { type KV } from 'nats';
import { HeartbeatView } from './heartbeat-view';
import { type HeartbeatEntry } from './replica-liveness';

/** What reads every replica's heartbeat: the board, or a test's fixed list. */
export interface HeartbeatSource {
  read(): Promise<HeartbeatEntry[]>;
}

/** The warn/log half of a Nest Logger (tests pass a recorder). */
export interface BoardLogger {
  warn(message: string): void;
}

export interface HeartbeatBoardOptions {
  /** A view older than this is rebuilt from a full scan even while its watch runs. */
  readonly maxAgeMs?: number;
  /**
   * A view that heard nothing for this long is rebuilt. Every process that reads the board also
   * beats itself, so a silent watch is a dead one (a consumer the server lost, noticed by the
   * client only after missed idle heartbeats): a frozen view would age every agent into a
   * false "stale" — and atlas restarts stale agents. Keep it below the smallest `max_age_s`.
   */
  readonly quietMs?: number;
  /** A monotonic clock in ms (the view's age is a cache's, not the crew's domain time). */
  readonly now?: () => number;
}

/**
 * The quiet limit for a crew: 20 s, or half the smallest `max_age_s` when that is shorter (a
 * frozen view must be rebuilt well before it could age a live agent into "stale").
 */
export function boardQuietMs(maxAgesS: Iterable<number>): number {
  let quiet = BOARD_QUIET_MS;
  for (const maxAgeS of maxAgesS) quiet = Math.min(quiet, (maxAgeS * 1000) / 2);
  return Math.max(1000, quiet);
}

/** 5 min: bounds what a watch never sees (a key expired by the bucket's TTL) to one full read. */
export const BOARD_MAX_AGE_MS = 5 * 60_000;
/** Heartbeats arrive every few seconds; 20 s of silence means the watch is gone. */
export const BOARD_QUIET_MS = 20_000;

/**
 * Every replica's last heartbeat, kept by a KV watch so a reader (`GET /agents`, the liveness
 * pass, /status, the MCP tool) reads memory instead of 1 + N KV requests per call — with 500
 * clients on /agents every request waited behind thousands of gets.
 *
 * The lifecycle is KvWatchedView's (watch first, then one scan; the revision rule of
 * HeartbeatView sorts out which is newer): a watch that ends, a view older than `maxAgeMs` or
 * silent for `quietMs` is rebuilt on the next read; when the bucket cannot be watched, or once
 * closed, a read is a full scan.
 */
export class HeartbeatBoard implements HeartbeatSource {
  private readonly watched: KvWatchedView<HeartbeatView>;
  /** Every full read, watched or not (the unwatchable and closed scans count too). */
  private scanCount = 0;

  constructor(
    kv: Pick<KV, 'watch'>,
    private readonly store: Pick<TypedKv<HeartbeatRecord>, 'get' | 'decodeEntry'>,
    /** The bucket's keys, deleted ones included (KvFactory.listKeys: one request). */
    private readonly listKeys: () => Promise<string[]>,
    private readonly logger: BoardLogger,
    options: HeartbeatBoardOptions = {},
  ) {
    this.watched = new KvWatchedView<HeartbeatView>({
      kv,
      key: '>',
      createView: () => new HeartbeatView(),
      scanInto: (view) => this.scanInto(view),
      applyWatched: (view, entry) =>
        view.apply(
          entry.key,
          entry.revision,
          this.decode(entry.key, () => this.store.decodeEntry(entry)),
        ),
      label: 'heartbeats',
      logger,
      maxAgeMs: options.maxAgeMs ?? BOARD_MAX_AGE_MS,
      quietMs: options.quietMs ?? BOARD_QUIET_MS,
      now: options.now ?? (() => performance.now()),
    });
  }

  /** The board of the bus's `heartbeats` bucket. */
  static async open(
    factory: Pick<KvFactory, 'raw' | 'listKeys'>,
    store: Pick<TypedKv<HeartbeatRecord>, 'get' | 'decodeEntry'>,
    logger: BoardLogger,
    options: HeartbeatBoardOptions = {},
  ): Promise<HeartbeatBoard> {
    const kv = await factory.raw(KV_BUCKETS.heartbeats);
    return new HeartbeatBoard(
      kv,
      store,
      () => factory.listKeys(KV_BUCKETS.heartbeats),
      logger,
      options,
    );
  }

  /** Full reads done (the first included): for tests and measurements. */
  get resyncs(): number {
    return this.scanCount;
  }

  /** Every live heartbeat key as the view has it. */
  async read(): Promise<HeartbeatEntry[]> {
    return (await this.watched.read()).entries();
  }

  /** A key this process deleted at `revision` (a prune): gone from the view at once. */
  noteDeleted(key: string, revision: number): void {
    this.watched.current?.apply(key, revision, null);
  }

  /** Stops the watch; reads become full scans. */
  close(): void {
    this.watched.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }

  /** Every key read once, together (one listing, then the gets in parallel). */
  private async scanInto(view: HeartbeatView): Promise<void> {
    const keys = (await this.listKeys()).filter((key) => parseHeartbeatKey(key) !== null);
    const read = await Promise.all(
      keys.map(async (key) => {
        try {
          return { key, entry: await this.store.get(key) };
        } catch (err: unknown) {
          if (!(err instanceof KvCorruptValueError)) throw err;
          this.logger.warn(`heartbeats: ${err.message}; ignored`);
          return { key, entry: null };
        }
      }),
    );
    for (const { key, entry } of read) {
      if (entry !== null) view.apply(key, entry.revision, entry.value);
    }
    this.scanCount += 1;
  }

  /** A corrupt value says nothing about its replica: as good as absent (and logged). */
  private decode(
    key: string,
    decode: () => { value: HeartbeatRecord } | null,
  ): HeartbeatRecord | null {
    try {
      return decode()?.value ?? null;
    } catch (err: unknown) {
      if (!(err instanceof KvCorruptValueError)) throw err;
      this.logger.warn(`heartbeats: ${err.message}; ignored (${key})`);
      return null;
    }
  }
}
