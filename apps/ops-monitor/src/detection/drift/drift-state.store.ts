import { type Logger } from '@nestjs/common';
import { errorMessage, KV_BUCKETS } from '@opscrew/contracts';
import { type MetricName } from '../anomaly';
import { BUCKETS, type KvSchema, type TypedKv } from '@opscrew/messaging';
import { type DriftState, parseDriftState } from './drift-state';

/** One detector's learned state as saved: whose it is and when it was taken. */
export interface DriftSnapshot {
  readonly service: string;
  readonly metric: MetricName;
  /** ISO-8601 time the leader saved it. */
  readonly saved_at: string;
  readonly state: DriftState;
}

/**
 * ops-monitor's keys in the `learning` bucket (demo-controller's records share it): the only
 * ones its NATS user may write (`own-keys`), one per detector — two metrics' states of one
 * service together can pass the bucket's 64 KiB value limit.
 */
export const DRIFT_KEY_PREFIX = 'ops-monitor.drift.';

export function driftKey(service: string, metric: MetricName): string {
  return `${DRIFT_KEY_PREFIX}${service}.${metric}`;
}

/** Checks a stored snapshot (untrusted: another version, a hand edit) and says what is wrong. */
export const driftSnapshotSchema: KvSchema<DriftSnapshot> = {
  validate: (raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) {
      return { ok: false, reason: 'drift snapshot: not an object' } as const;
    }
    const value = raw as Record<string, unknown>;
    const { service, metric, saved_at } = value;
    if (typeof service !== 'string' || service === '') {
      return { ok: false, reason: 'drift snapshot: service must be a non-empty string' } as const;
    }
    if (metric !== 'error_rate_ratio' && metric !== 'latency_p99_ms') {
      return {
        ok: false,
        reason: `drift snapshot: metric ${String(metric)} has no detector`,
      } as const;
    }
    if (typeof saved_at !== 'string' || !Number.isFinite(Date.parse(saved_at))) {
      return { ok: false, reason: 'drift snapshot: saved_at must be an ISO-8601 time' } as const;
    }
    try {
      const state = parseDriftState(value.state);
      return { ok: true, value: { service, metric, saved_at, state } } as const;
    } catch (err: unknown) {
      return { ok: false, reason: errorMessage(err) } as const;
    }
  },
};

/** Bytes a value may take in the learning bucket (the topology's limit). */
const MAX_VALUE_BYTES = BUCKETS[KV_BUCKETS.learning].max_value_bytes ?? Number.POSITIVE_INFINITY;

/**
 * Where the leader keeps what its drift detectors learned, and where a new leader finds it.
 * Nothing here is fatal: a snapshot that cannot be saved or read only means that detector learns
 * again, which is what happened before snapshots existed — each such case is logged once with
 * its key.
 */
export class DriftStateStore {
  /** Keys already reported as too large (once each, not every interval). */
  private readonly tooLarge = new Set<string>();

  constructor(
    private readonly kv: TypedKv<DriftSnapshot>,
    private readonly listKeys: () => Promise<string[]>,
    private readonly logger: Pick<Logger, 'warn' | 'log'>,
  ) {}

  /** Saves each snapshot; how many were saved. */
  async save(snapshots: readonly DriftSnapshot[]): Promise<number> {
    let saved = 0;
    for (const snapshot of snapshots) {
      const key = driftKey(snapshot.service, snapshot.metric);
      const bytes = Buffer.byteLength(JSON.stringify(snapshot));
      if (bytes > MAX_VALUE_BYTES) {
        if (!this.tooLarge.has(key)) {
          this.tooLarge.add(key);
          this.logger.warn(
            `drift state ${key} is ${Math.ceil(bytes / 1024)} KiB, over the learning bucket's ` +
              `${MAX_VALUE_BYTES / 1024} KiB value limit: not saved, a takeover relearns it ` +
              `(smaller detection.drift windows keep it under)`,
          );
        }
        continue;
      }
      try {
        await this.kv.put(key, snapshot);
        saved++;
      } catch (err: unknown) {
        this.logger.warn(`could not save drift state ${key}: ${errorMessage(err)}`);
      }
    }
    return saved;
  }

  /**
   * Every saved snapshot no older than `maxAgeMs` at `now`. A corrupt or older-version one is
   * skipped with a warning naming its key (that detector learns again).
   */
  async load(now: number, maxAgeMs: number): Promise<DriftSnapshot[]> {
    const keys = (await this.listKeys()).filter((key) => key.startsWith(DRIFT_KEY_PREFIX));
    const found: DriftSnapshot[] = [];
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
        this.logger.warn(`drift state ${key} not restored: ${errorMessage(err)}`);
      }
    }
    if (stale > 0) {
      this.logger.log(`${stale} drift state(s) older than ${maxAgeMs / 1000} s: relearned`);
    }
    return found;
  }
}
