import { type Logger } from '@nestjs/common';
import { errorMessage, KV_BUCKETS } from '@opscrew/contracts';
import { BUCKETS, type TypedKv } from '@opscrew/messaging';

/** Bytes a value may take in the learning bucket (the topology's limit). */
const MAX_VALUE_BYTES = BUCKETS[KV_BUCKETS.learning].max_value_bytes ?? Number.POSITIVE_INFINITY;

/** How one kind of snapshot is keyed and named in the logs. */
export interface LearningSnapshotKind<T> {
  /** Its keys' prefix in the learning bucket (ops-monitor's own keys, `ops-monitor.…`). */
  readonly prefix: string;
  readonly keyOf: (snapshot: T) => string;
  /** What a snapshot is called in a log line: `drift state`, `usual levels`. */
  readonly what: string;
  /** How to keep a snapshot under the value limit, said when one is not. */
  readonly tooLargeHint: string;
}

/**
 * Where the leader keeps something it learned (drift detectors, usual levels), and where a new
 * leader finds it; one store per kind of snapshot, each under its own key prefix of the
 * `learning` bucket. Nothing here is fatal: a snapshot that cannot be saved or read only means
 * that state is learned again, which is what happened before snapshots existed — each such case
 * is logged with its key (a too-large one once, not every interval).
 */
export class LearningSnapshotStore<T extends { readonly saved_at: string }> {
  /** Keys already reported as too large. */
  private readonly tooLarge = new Set<string>();

  constructor(
    private readonly kv: TypedKv<T>,
    private readonly listKeys: () => Promise<string[]>,
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
    private readonly kind: LearningSnapshotKind<T>,
  ) {}

  /** Saves each snapshot; how many were saved. */
  async save(snapshots: readonly T[]): Promise<number> {
    const { what } = this.kind;
    let saved = 0;
    for (const snapshot of snapshots) {
      const key = this.kind.keyOf(snapshot);
      const bytes = Buffer.byteLength(JSON.stringify(snapshot));
      if (bytes > MAX_VALUE_BYTES) {
        if (!this.tooLarge.has(key)) {
          this.tooLarge.add(key);
          this.logger.warn(
            `${what} ${key} is ${Math.ceil(bytes / 1024)} KiB, over the learning bucket's ` +
              `${MAX_VALUE_BYTES / 1024} KiB value limit: not saved, a takeover relearns it ` +
              `(${this.kind.tooLargeHint})`,
          );
        }
        continue;
      }
      try {
        await this.kv.put(key, snapshot);
        saved++;
      } catch (err: unknown) {
        this.logger.warn(`could not save ${what} ${key}: ${errorMessage(err)}`);
      }
    }
    return saved;
  }

  /**
   * Every saved snapshot of this kind no older than `maxAgeMs` at `now`. A corrupt or
   * older-version one is skipped with a warning naming its key (that state is learned again).
   */
  async load(now: number, maxAgeMs: number): Promise<T[]> {
    const { what, prefix } = this.kind;
    const keys = (await this.listKeys()).filter((key) => key.startsWith(prefix));
    const found: T[] = [];
    let stale = 0;
    for (const key of keys) {
      try {
        const entry = await this.kv.get(key);
        if (entry === null) continue;
        if (now - Date.parse(entry.value.saved_at) > maxAgeMs) {
          stale++;
          continue;
        }
        found.push(entry.value);
      } catch (err: unknown) {
        this.logger.warn(`${what} ${key} not restored: ${errorMessage(err)}`);
      }
    }
    if (stale > 0) {
      this.logger.log(`${stale} ${what} snapshot(s) older than ${maxAgeMs / 1000} s: relearned`);
    }
    return found;
  }
}
