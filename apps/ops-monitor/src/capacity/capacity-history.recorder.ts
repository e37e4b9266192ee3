import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { type CapacityConfig } from '@opscrew/config';
import {
  CAPACITY_HISTORY_METRICS,
  type CapacityHistoryMetric,
  type CapacityHistoryRecord,
  capacityHistoryKey,
  errorMessage,
} from '@opscrew/contracts';
import { addSample, mergeHistory, type PendingBucket } from '@opscrew/forecast';
import { type MetricsSnapshot } from '@opscrew/integrations';
import { type TypedKv } from '@opscrew/messaging';
import { CAPACITY_KV, MONITOR_CONFIG } from '../ops-monitor.tokens';
import { type MonitorConfigView } from '../ops-monitor.config';

/** `() => number` (epoch ms) the recorder reads; absent, the system clock. */
export const CAPACITY_CLOCK = Symbol('CAPACITY_CLOCK');

interface SeriesId {
  readonly service: string;
  readonly metric: CapacityHistoryMetric;
}

/**
 * Keeps the capacity history (issue 11): every cycle's CPU %, memory % and request rate per
 * service are added to the current bucket in memory, and every `persist_every_minutes` merged
 * into the `capacity` bucket by CAS (TypedKv.mutate: a second replica's or a restarted
 * process's points combine with what is stored, weighted by sample count). The stored series IS
 * the state: a restart loses at most the samples of one persist interval, and nothing needs
 * loading at boot. A metric a sample lacks (a source without CPU) is not recorded — its series
 * stays absent, never a run of 0 that would read as idle.
 */
@Injectable()
export class CapacityHistoryRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger(CapacityHistoryRecorder.name);
  private readonly settings: CapacityConfig;
  private readonly bucketS: number;
  private readonly maxPoints: number;
  private pending = new Map<string, { id: SeriesId; buckets: PendingBucket[] }>();
  private lastPersistMs: number | null = null;
  private persisting: Promise<number> | null = null;

  constructor(
    @Inject(CAPACITY_KV) private readonly kv: TypedKv<CapacityHistoryRecord>,
    @Inject(MONITOR_CONFIG) config: MonitorConfigView,
    @Optional() @Inject(CAPACITY_CLOCK) private readonly clock: () => number = Date.now,
  ) {
    this.settings = config.thresholds.capacity;
    this.bucketS = this.settings.bucket_minutes * 60;
    this.maxPoints = (this.settings.history_days * 1440) / this.settings.bucket_minutes;
  }

  /** Adds a cycle's samples; persists in the background when the interval has passed. Never throws. */
  record(snapshot: MetricsSnapshot): void {
    try {
      this.add(snapshot);
    } catch (error) {
      this.logger.warn(`capacity history: cycle not recorded: ${errorMessage(error)}`);
    }
  }

  private add(snapshot: MetricsSnapshot): void {
    const now = this.clock();
    for (const sample of snapshot.samples) {
      const at = Date.parse(sample.at);
      const atMs = Number.isFinite(at) ? at : now;
      for (const metric of CAPACITY_HISTORY_METRICS) {
        const value = sample[metric];
        // Absent (undefined) or not a number: no point at all, never a 0.
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const key = capacityHistoryKey(sample.service, metric);
        const entry = this.pending.get(key) ?? {
          id: { service: sample.service, metric },
          buckets: [],
        };
        entry.buckets = addSample(entry.buckets, atMs, value, this.bucketS);
        this.pending.set(key, entry);
      }
    }
    this.lastPersistMs ??= now;
    if (now - this.lastPersistMs >= this.settings.persist_every_minutes * 60_000) {
      void this.persist();
    }
  }

  /**
   * Merges what is pending into the bucket (one CAS write per series); resolves to the series
   * written. A failed series stays pending for the next round; one persist runs at a time.
   */
  persist(): Promise<number> {
    if (this.persisting !== null) return this.persisting;
    this.lastPersistMs = this.clock();
    const batch = this.pending;
    this.pending = new Map();
    this.persisting = this.write(batch).finally(() => {
      this.persisting = null;
    });
    return this.persisting;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.persisting !== null) await this.persisting;
    if (this.pending.size > 0) await this.persist();
  }

  private async write(
    batch: Map<string, { id: SeriesId; buckets: PendingBucket[] }>,
  ): Promise<number> {
    let written = 0;
    for (const [key, { id, buckets }] of batch) {
      try {
        await this.kv.mutate(key, (current) => {
          const stored = (current?.value.bucket_s === this.bucketS ? current.value.points : []).map(
            ([start_s, mean, max, count]) => ({ start_s, mean, max, count }),
          );
          const merged = mergeHistory(stored, buckets, this.bucketS, this.maxPoints);
          const record: CapacityHistoryRecord = {
            service: id.service,
            metric: id.metric,
            bucket_s: this.bucketS,
            points: merged.map((p) => [p.start_s, round(p.mean), round(p.max), p.count]),
          };
          return { put: record, result: merged.length };
        });
        written++;
      } catch (error) {
        this.logger.warn(`capacity history ${key} not written: ${errorMessage(error)}`);
        this.requeue(key, id, buckets);
      }
    }
    return written;
  }

  /** Puts a batch that could not be written back in front of what came since. */
  private requeue(key: string, id: SeriesId, buckets: readonly PendingBucket[]): void {
    const later = this.pending.get(key)?.buckets ?? [];
    const combined = new Map<number, PendingBucket>();
    for (const b of [...buckets, ...later]) {
      const old = combined.get(b.start_s);
      combined.set(
        b.start_s,
        old === undefined
          ? b
          : {
              start_s: b.start_s,
              sum: old.sum + b.sum,
              max: Math.max(old.max, b.max),
              count: old.count + b.count,
            },
      );
    }
    this.pending.set(key, {
      id,
      buckets: [...combined.values()].sort((a, b) => a.start_s - b.start_s),
    });
  }
}

/** Four decimals: far below any metric's noise, and keeps a 672-point value near 20 KiB. */
function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
