import { histogramQuantile } from './histogram-quantile';

const inf = Number.POSITIVE_INFINITY;

describe('histogramQuantile (PromQL semantics)', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    // 100 observations: 50 ≤ 0.1, 90 ≤ 0.25, 100 ≤ 0.5. p99 rank 99 lies in (0.25, 0.5]:
    // 0.25 + 0.25 × (99 − 90) / (100 − 90) = 0.475.
    const buckets = [
      { le: 0.1, count: 50 },
      { le: 0.25, count: 90 },
      { le: 0.5, count: 100 },
      { le: inf, count: 100 },
    ];
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.475, 12);
    // p50 rank 50 is exactly the first bucket's count: 0 + 0.1 × 50/50.
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1, 12);
    // p10 rank 10 inside the first bucket, which starts at 0: 0.1 × 10/50.
    expect(histogramQuantile(0.1, buckets)).toBeCloseTo(0.02, 12);
  });

  it('answers the highest finite bound when the rank lands in +Inf', () => {
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 90 },
        { le: 2.5, count: 95 },
        { le: inf, count: 100 },
      ]),
    ).toBe(2.5);
  });

  it('is order-independent, sums duplicate bounds (several series) and repairs non-monotonic counts', () => {
    expect(
      histogramQuantile(0.5, [
        { le: inf, count: 2 },
        { le: 1, count: 1 },
        { le: inf, count: 2 },
        { le: 1, count: 1 },
        { le: 0.5, count: 0 },
      ]),
    ).toBeCloseTo(0.5 + (0.5 * (2 - 0)) / 2, 12);
    // 0.5 bucket says 3 but 1 bucket says 2 (scrape raced an observation): treated as 3.
    expect(
      histogramQuantile(0.5, [
        { le: 0.5, count: 3 },
        { le: 1, count: 2 },
        { le: inf, count: 4 },
      ]),
    ).toBeCloseTo(0.5 * (2 / 3), 12);
  });

  it('is null (PromQL NaN) without observations, without +Inf, or with fewer than two buckets', () => {
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 0 },
        { le: inf, count: 0 },
      ]),
    ).toBeNull();
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 3 },
        { le: 2, count: 4 },
      ]),
    ).toBeNull();
    expect(histogramQuantile(0.99, [{ le: inf, count: 4 }])).toBeNull();
    expect(histogramQuantile(0.99, [])).toBeNull();
  });

  it('a first bucket with a non-positive bound answers that bound', () => {
    expect(
      histogramQuantile(0.5, [
        { le: 0, count: 10 },
        { le: inf, count: 10 },
      ]),
    ).toBe(0);
  });

  it('q outside [0, 1] gives ±Inf like PromQL', () => {
    const buckets = [
      { le: 1, count: 1 },
      { le: inf, count: 1 },
    ];
    expect(histogramQuantile(-0.1, buckets)).toBe(-inf);
    expect(histogramQuantile(1.1, buckets)).toBe(inf);
  });
});
