import { SERVICE_NAME_MAX_LENGTH } from '../events/field-limits';
import { IsInteger, IsOneOf, IsText } from '../validation/field.validators';
import { valueRule } from '../validation/value-rule';

/** The metrics a capacity history is kept for (the metrics port's names). */
export const CAPACITY_HISTORY_METRICS = [
  'cpu_usage_percent',
  'memory_usage_percent',
  'request_rate_rps',
] as const;
export type CapacityHistoryMetric = (typeof CAPACITY_HISTORY_METRICS)[number];

/**
 * At most this many points per key: 28 days hourly is 672; 1,500 leaves room for a longer or
 * finer history and keeps a value (~30 bytes a point) under the bucket's 64 KiB.
 */
export const CAPACITY_HISTORY_MAX_POINTS = 1500;

/** `[bucket start (epoch s), mean, max, samples]`. */
export type CapacityHistoryPoint = [number, number, number, number];

function isPoint(value: unknown): value is CapacityHistoryPoint {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    Number.isSafeInteger(value[0]) &&
    Number.isSafeInteger(value[3]) &&
    (value[3] as number) >= 1
  );
}

/** The key of a service's history of one metric in the `capacity` bucket. */
export function capacityHistoryKey(service: string, metric: CapacityHistoryMetric): string {
  return `${service}.${metric}`;
}

/**
 * One service's downsampled history of one metric (`capacity` bucket, key `<service>.<metric>`):
 * what ops-monitor saw, one point per bucket (an hour by default), oldest first, cut to the
 * configured length. Points are tuples, not objects: 672 of them as objects would take twice
 * the bytes. A metric a source does not measure has no key at all, never points of 0.
 */
export class CapacityHistoryRecord {
  @IsText(SERVICE_NAME_MAX_LENGTH)
  service!: string;

  @IsOneOf(CAPACITY_HISTORY_METRICS)
  metric!: CapacityHistoryMetric;

  /** Bucket size in seconds (3,600: hourly). */
  @IsInteger(60)
  bucket_s!: number;

  @valueRule(
    'capacityPoints',
    (v) =>
      Array.isArray(v) &&
      v.length <= CAPACITY_HISTORY_MAX_POINTS &&
      v.every(isPoint) &&
      v.every(
        (p: CapacityHistoryPoint, i, all: CapacityHistoryPoint[]) =>
          i === 0 || p[0] > (all[i - 1] as CapacityHistoryPoint)[0],
      ),
    `must be a list of at most ${CAPACITY_HISTORY_MAX_POINTS} [start_s, mean, max, count] points (finite numbers, integer start and count ≥ 1), oldest first`,
  )
  points!: CapacityHistoryPoint[];
}
