import fc from 'fast-check';
import {
  budget,
  burnRate,
  coverage,
  type EventCounts,
  judgeWindow,
  multiwindowFires,
} from './slo-math';

const target = fc.double({ min: 0.5, max: 0.99999, noNaN: true });
const ratio = fc.double({ min: 0, max: 1, noNaN: true });
const total = fc.double({ min: 1, max: 1e9, noNaN: true });

function countsOf(errorRatio: number, requests: number, observedMs = 60_000): EventCounts {
  return { good: requests * (1 - errorRatio), total: requests, observed_ms: observedMs };
}

describe('burnRate', () => {
  it('of a constant error ratio r is r / (1 − target), whatever the traffic', () => {
    fc.assert(
      fc.property(ratio, total, target, (r, requests, t) => {
        const rate = burnRate(countsOf(r, requests), t);
        expect(rate).not.toBeNull();
        expect(rate ?? NaN).toBeCloseTo(r / (1 - t), 6);
      }),
    );
  });

  it('is 1 when errors use the budget exactly, and the workbook numbers come out', () => {
    expect(burnRate(countsOf(0.001, 1000), 0.999)).toBeCloseTo(1, 9);
    expect(burnRate(countsOf(0.0144, 1000), 0.999)).toBeCloseTo(14.4, 9);
    expect(burnRate(countsOf(0.5, 1000), 0.999)).toBeCloseTo(500, 6);
  });

  it('is null without events: no traffic is not good', () => {
    expect(burnRate({ good: 0, total: 0, observed_ms: 60_000 }, 0.999)).toBeNull();
  });

  it('names a target without a budget', () => {
    expect(() => burnRate(countsOf(0, 1), 1)).toThrow(/between 0 and 1 \(exclusive\), got 1/);
    expect(() => budget(countsOf(0, 1), 0)).toThrow(/got 0/);
  });
});

describe('budget', () => {
  it('consumed + remaining = 1; consumed ≥ 0 and at most 1 / (1 − target)', () => {
    fc.assert(
      fc.property(ratio, total, target, (r, requests, t) => {
        const state = budget(countsOf(r, requests), t);
        expect(state.consumed_ratio + state.remaining_ratio).toBeCloseTo(1, 9);
        expect(state.consumed_ratio).toBeGreaterThanOrEqual(0);
        expect(state.consumed_ratio).toBeLessThanOrEqual(1 / (1 - t) + 1e-9);
        // Remaining is negative exactly when more went bad than the traffic allowed.
        expect(state.remaining_ratio < -1e-9).toBe(state.bad > state.allowed_bad * (1 + 1e-9));
      }),
    );
  });

  it('grows with the errors (more bad, more consumed)', () => {
    fc.assert(
      fc.property(ratio, ratio, total, target, (a, b, requests, t) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(budget(countsOf(low, requests), t).consumed_ratio).toBeLessThanOrEqual(
          budget(countsOf(high, requests), t).consumed_ratio + 1e-12,
        );
      }),
    );
  });

  it('is untouched without events', () => {
    expect(budget({ good: 0, total: 0, observed_ms: 0 }, 0.999)).toEqual({
      sli: null,
      allowed_bad: 0,
      bad: 0,
      consumed_ratio: 0,
      remaining_ratio: 1,
    });
  });

  it('reads like the workbook: 99.9 % with 0.05 % errors has spent half its budget', () => {
    const state = budget(countsOf(0.0005, 1_000_000), 0.999);
    expect(state.sli).toBeCloseTo(0.9995, 9);
    expect(state.consumed_ratio).toBeCloseTo(0.5, 9);
    expect(state.remaining_ratio).toBeCloseTo(0.5, 9);
  });
});

describe('multi-window alerting', () => {
  it('fires iff both windows exceed the threshold on enough data', () => {
    fc.assert(
      fc.property(
        ratio,
        ratio,
        target,
        fc.double({ min: 1, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (longR, shortR, t, threshold, longCover, shortCover) => {
          const longMs = 3_600_000;
          const shortMs = 300_000;
          const long = judgeWindow(
            countsOf(longR, 1000, longCover * longMs),
            longMs,
            t,
            threshold,
            0.5,
          );
          const short = judgeWindow(
            countsOf(shortR, 100, shortCover * shortMs),
            shortMs,
            t,
            threshold,
            0.5,
          );
          const expected =
            longR / (1 - t) > threshold &&
            shortR / (1 - t) > threshold &&
            longCover >= 0.5 &&
            shortCover >= 0.5;
          // Away from the boundary the float rounding cannot decide it.
          const margin = Math.min(
            Math.abs(longR / (1 - t) - threshold),
            Math.abs(shortR / (1 - t) - threshold),
          );
          if (margin > 1e-6) expect(multiwindowFires(long, short)).toBe(expected);
        },
      ),
    );
  });

  it('coverage is the observed share of the window, within 0..1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (observed) => {
        const covered = coverage({ good: 0, total: 0, observed_ms: observed }, 3_600_000);
        expect(covered).toBeGreaterThanOrEqual(0);
        expect(covered).toBeLessThanOrEqual(1);
      }),
    );
  });
});
