import { type Logger } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { type MetricName } from '../anomaly';
import { type KvSchema, type TypedKv } from '@opscrew/messaging';
import { LearningSnapshotStore } from '../learning-snapshot.store';
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

/**
 * Where the leader keeps what its drift detectors learned, and where a new leader finds it
 * (LearningSnapshotStore: nothing fatal, every refusal logged with its key).
 */
export class DriftStateStore extends LearningSnapshotStore<DriftSnapshot> {
  constructor(
    kv: TypedKv<DriftSnapshot>,
    listKeys: () => Promise<string[]>,
    logger: Pick<Logger, 'warn' | 'log'>,
  ) {
    super(kv, listKeys, logger, {
      prefix: DRIFT_KEY_PREFIX,
      keyOf: (snapshot) => driftKey(snapshot.service, snapshot.metric),
      what: 'drift state',
      tooLargeHint: 'smaller detection.drift windows keep it under',
    });
  }
}
