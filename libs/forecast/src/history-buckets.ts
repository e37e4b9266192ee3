/**
 * The bounded, downsampled history a capacity forecast reads: one point per bucket (an hour by
 * default) holding the mean, the max and the number of samples that fell into it. Merging is
 * by bucket start, so writes from a restarted process (or a second replica) combine with what is
 * stored instead of replacing it, and the history is cut to the newest `maxPoints` buckets.
 */
export interface HistoryPoint {
  /** Bucket start, epoch seconds, a multiple of the bucket size. */
  readonly start_s: number;
  readonly mean: number;
  readonly max: number;
  /** Samples averaged into `mean` (≥ 1). */
  readonly count: number;
}

/** Samples of one bucket not yet written: kept as a sum so further samples add exactly. */
export interface PendingBucket {
  readonly start_s: number;
  readonly sum: number;
  readonly max: number;
  readonly count: number;
}

/** The start (epoch seconds) of the bucket holding `atMs`. */
export function bucketStartOf(atMs: number, bucketS: number): number {
  const s = Math.floor(atMs / 1000);
  return s - (((s % bucketS) + bucketS) % bucketS);
}

/** `pending` with one more sample added to its bucket (a new bucket when absent). */
export function addSample(
  pending: readonly PendingBucket[],
  atMs: number,
  value: number,
  bucketS: number,
): PendingBucket[] {
  if (!Number.isFinite(value)) return [...pending];
  const start = bucketStartOf(atMs, bucketS);
  const found = pending.find((b) => b.start_s === start);
  if (found === undefined) {
    return [...pending, { start_s: start, sum: value, max: value, count: 1 }].sort(
      (a, b) => a.start_s - b.start_s,
    );
  }
  return pending.map((b) =>
    b === found
      ? { start_s: start, sum: b.sum + value, max: Math.max(b.max, value), count: b.count + 1 }
      : b,
  );
}

/**
 * The stored history with the pending buckets folded in (same start: counts add, means weigh by
 * count, max of maxes), sorted, and cut to the `maxPoints` newest buckets by time: a bucket older
 * than the newest start − (maxPoints − 1) buckets is dropped even when fewer points are stored
 * (the history spans a fixed time, gaps included).
 */
export function mergeHistory(
  stored: readonly HistoryPoint[],
  pending: readonly PendingBucket[],
  bucketS: number,
  maxPoints: number,
): HistoryPoint[] {
  const byStart = new Map<number, HistoryPoint>();
  for (const point of stored) byStart.set(point.start_s, point);
  for (const bucket of pending) {
    const old = byStart.get(bucket.start_s);
    if (old === undefined) {
      byStart.set(bucket.start_s, {
        start_s: bucket.start_s,
        mean: bucket.sum / bucket.count,
        max: bucket.max,
        count: bucket.count,
      });
    } else {
      const count = old.count + bucket.count;
      byStart.set(bucket.start_s, {
        start_s: bucket.start_s,
        mean: (old.mean * old.count + bucket.sum) / count,
        max: Math.max(old.max, bucket.max),
        count,
      });
    }
  }
  const points = [...byStart.values()].sort((a, b) => a.start_s - b.start_s);
  const newest = points[points.length - 1];
  if (newest === undefined) return [];
  const oldest = newest.start_s - (maxPoints - 1) * bucketS;
  return points.filter((p) => p.start_s >= oldest);
}

/**
 * The points as an evenly spaced series from the first bucket to the last, null where a bucket
 * has no point (a restart, a source that did not answer): what Holt's recursion steps through.
 */
export function evenlySpaced(points: readonly HistoryPoint[], bucketS: number): (number | null)[] {
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return [];
  const steps = Math.round((last.start_s - first.start_s) / bucketS) + 1;
  const values: (number | null)[] = new Array<number | null>(steps).fill(null);
  for (const point of points)
    values[Math.round((point.start_s - first.start_s) / bucketS)] = point.mean;
  return values;
}
