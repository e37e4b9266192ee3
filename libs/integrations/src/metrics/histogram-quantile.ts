/** One cumulative histogram bucket: observations ≤ `le` (any unit; the result is in the same unit). */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/**
 * The q-quantile of a cumulative histogram, the way PromQL's
 * `histogram_quantile` computes it: find the bucket holding the rank q·total
 * and interpolate linearly inside it (assuming observations spread evenly
 * between its bounds; the first bucket starts at 0). A quantile that lands in
 * the +Inf bucket answers the highest finite bound — the histogram cannot say
 * more. Returns null where PromQL answers NaN: no +Inf bucket, fewer than two
 * buckets, or no observations.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number | null {
  if (Number.isNaN(q)) return null;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = coalesce(buckets);
  const last = sorted[sorted.length - 1];
  if (sorted.length < 2 || last === undefined || last.le !== Number.POSITIVE_INFINITY) return null;
  const total = last.count;
  if (!(total > 0)) return null;

  let rank = q * total;
  let index = sorted.findIndex((bucket) => bucket.count >= rank);
  if (index < 0) index = sorted.length - 1;
  if (index === sorted.length - 1) return sorted[sorted.length - 2]?.le ?? null;
  const bucket = sorted[index];
  if (bucket === undefined) return null;
  if (index === 0 && bucket.le <= 0) return bucket.le;

  let start = 0;
  let count = bucket.count;
  const previous = index > 0 ? sorted[index - 1] : undefined;
  if (previous !== undefined) {
    start = previous.le;
    count -= previous.count;
    rank -= previous.count;
  }
  return start + (bucket.le - start) * (rank / count);
}

/**
 * Sorted by bound, one entry per bound (summed), counts made monotonic: a
 * scrape racing an observation can see a lower bucket ahead of a higher one,
 * and PromQL repairs that the same way.
 */
function coalesce(buckets: readonly CumulativeBucket[]): CumulativeBucket[] {
  const byBound = new Map<number, number>();
  for (const { le, count } of buckets) {
    if (Number.isNaN(le) || Number.isNaN(count)) continue;
    byBound.set(le, (byBound.get(le) ?? 0) + count);
  }
  const sorted = [...byBound.entries()]
    .sort(([a], [b]) => a - b)
    .map(([le, count]) => ({ le, count }));
  let max = 0;
  return sorted.map(({ le, count }) => {
    max = Math.max(max, count);
    return { le, count: max };
  });
}
