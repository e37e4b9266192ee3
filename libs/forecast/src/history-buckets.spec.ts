import {
  addSample,
  bucketStartOf,
  evenlySpaced,
  type HistoryPoint,
  mergeHistory,
  type PendingBucket,
} from './history-buckets';

const HOUR = 3600;
const T0 = 1_796_601_600_000; // ms, on an hour

describe('history buckets', () => {
  it('puts samples into their bucket by time', () => {
    expect(bucketStartOf(T0 + 59 * 60_000, HOUR)).toBe(T0 / 1000);
    expect(bucketStartOf(T0 + 60 * 60_000, HOUR)).toBe(T0 / 1000 + HOUR);
  });

  it('adds samples exactly: mean, max and count of a bucket', () => {
    let pending: PendingBucket[] = [];
    for (const [minute, value] of [
      [0, 10],
      [10, 30],
      [70, 5],
    ] as const)
      pending = addSample(pending, T0 + minute * 60_000, value, HOUR);
    pending = addSample(pending, T0, Number.NaN, HOUR);
    expect(pending).toEqual([
      { start_s: T0 / 1000, sum: 40, max: 30, count: 2 },
      { start_s: T0 / 1000 + HOUR, sum: 5, max: 5, count: 1 },
    ]);
    expect(mergeHistory([], pending, HOUR, 10)).toEqual([
      { start_s: T0 / 1000, mean: 20, max: 30, count: 2 },
      { start_s: T0 / 1000 + HOUR, mean: 5, max: 5, count: 1 },
    ]);
  });

  it('merges into a stored bucket weighted by count, whatever the order of flushes', () => {
    const stored: HistoryPoint[] = [{ start_s: T0 / 1000, mean: 10, max: 12, count: 3 }];
    const merged = mergeHistory(
      stored,
      [{ start_s: T0 / 1000, sum: 50, max: 40, count: 1 }],
      HOUR,
      10,
    );
    expect(merged).toEqual([{ start_s: T0 / 1000, mean: 20, max: 40, count: 4 }]);
  });

  it('keeps a bounded history: the newest maxPoints buckets of time', () => {
    // Property: for any number of hourly buckets and any bound, at most `bound` points remain,
    // all within the newest `bound` hours, and the newest is always kept.
    for (const total of [1, 5, 100, 700]) {
      for (const bound of [1, 24, 672]) {
        const pending: PendingBucket[] = Array.from({ length: total }, (_, i) => ({
          start_s: T0 / 1000 + i * HOUR,
          sum: i,
          max: i,
          count: 1,
        }));
        const merged = mergeHistory([], pending, HOUR, bound);
        expect(merged.length).toBe(Math.min(total, bound));
        expect(merged[merged.length - 1]?.start_s).toBe(T0 / 1000 + (total - 1) * HOUR);
      }
    }
  });

  it('lays the points out evenly with gaps as null', () => {
    const points: HistoryPoint[] = [
      { start_s: 0, mean: 1, max: 1, count: 1 },
      { start_s: 2 * HOUR, mean: 3, max: 3, count: 1 },
    ];
    expect(evenlySpaced(points, HOUR)).toEqual([1, null, 3]);
    expect(evenlySpaced([], HOUR)).toEqual([]);
  });
});
