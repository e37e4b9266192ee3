import {
  type CapacityForecast,
  forecastMetric,
  type ForecastOptions,
  type MetricForecast,
} from './capacity-forecast';
import { type HistoryPoint } from './history-buckets';

/** mulberry32: a seeded uniform draw, so every property case is reproducible by its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

const HOUR = 3600;
const START = 1_796_601_600; // 2026-12-07T00:00:00Z, a bucket boundary
const HOURS = 28 * 24;

function series(hours: number, valueAt: (h: number) => number): HistoryPoint[] {
  return Array.from({ length: hours }, (_, h) => {
    const v = valueAt(h);
    return { start_s: START + h * HOUR, mean: v, max: v, count: 60 };
  });
}

function options(overrides: Partial<ForecastOptions> = {}, hours = HOURS): ForecastOptions {
  return {
    bucket_s: HOUR,
    min_points: 24,
    min_span_hours: 24,
    horizon_days: 30,
    interval_ratio: 0.9,
    trend_window_days: 7,
    threshold: 90,
    now_s: START + hours * HOUR,
    ...overrides,
  };
}

function metricForecast(result: CapacityForecast): MetricForecast {
  if (result.verdict === 'insufficient_data') throw new Error(result.reason);
  return result;
}

describe('forecastMetric', () => {
  it('refuses to guess on too little data, saying what it has and needs', () => {
    const short = forecastMetric(
      'cart',
      'cpu_usage_percent',
      series(10, () => 40),
      options(),
    );
    expect(short).toMatchObject({
      verdict: 'insufficient_data',
      reason: 'insufficient data: have 10 h, need 24 h',
      points: 10,
    });
    expect(short.sentence).toBe('cart CPU: insufficient data: have 10 h, need 24 h');
    const none = forecastMetric('cart', 'cpu_usage_percent', [], options());
    expect(none.verdict).toBe('insufficient_data');
    // Enough points but crowded into too short a span (15-minute buckets, 6 hours).
    const crowded = forecastMetric(
      'cart',
      'cpu_usage_percent',
      Array.from({ length: 24 }, (_, i) => ({
        start_s: START + i * 900,
        mean: 40,
        max: 40,
        count: 1,
      })),
      options({ bucket_s: 900 }),
    );
    expect(crowded).toMatchObject({
      verdict: 'insufficient_data',
      reason: 'insufficient data: have 6 h of span, need 24 h',
    });
  });

  it('finds the crossing of a known linear trend within ±15 % (noise σ 3, 40 seeds)', () => {
    // 30 % rising 1.2 %/day: at the end of 28 days 63.6 %, 90 % in (90 − 63.6)/1.2 = 22 days.
    const perHour = 1.2 / 24;
    const truth = (90 - (30 + perHour * HOURS)) / 1.2;
    for (let seed = 1; seed <= 40; seed++) {
      const noise = gaussian(seeded(seed));
      const result = metricForecast(
        forecastMetric(
          'cart',
          'cpu_usage_percent',
          series(HOURS, (h) => 30 + perHour * h + 3 * noise()),
          options(),
        ),
      );
      expect(result.verdict).toBe('crossing');
      const crossing = result.crossing;
      if (crossing === null) throw new Error('no crossing');
      expect(Math.abs(crossing.in_days - truth) / truth).toBeLessThanOrEqual(0.15);
      expect(crossing.earliest_days).toBeLessThanOrEqual(crossing.in_days);
      if (crossing.latest_days !== null)
        expect(crossing.latest_days).toBeGreaterThanOrEqual(crossing.in_days);
      expect(result.trend_per_day).toBeGreaterThan(1.2 * 0.8);
      expect(result.trend_per_day).toBeLessThan(1.2 * 1.2);
    }
  });

  it('says when and with what band in one sentence', () => {
    const result = metricForecast(
      forecastMetric(
        'cart',
        'cpu_usage_percent',
        series(HOURS, (h) => 30 + (1.2 / 24) * h),
        options(),
      ),
    );
    expect(result.sentence).toMatch(
      /^cart CPU reaches 90 % in ~22 days \(\d+(\.\d)?–(\d+|over 365)\) at the current trend$/,
    );
    expect(result.forecasts.map((f) => f.days)).toEqual([7, 14, 30]);
    const week = result.forecasts[0];
    expect(week?.value).toBeCloseTo(63.6 + 8.4, 0);
    expect(week?.low).toBeLessThanOrEqual(week?.value ?? 0);
    expect(week?.high).toBeGreaterThanOrEqual(week?.value ?? 0);
  });

  it('predicts no crossing within the horizon for pure noise in ≥ 95 % of seeds', () => {
    let crossings = 0;
    const seeds = 200;
    for (let seed = 1; seed <= seeds; seed++) {
      const noise = gaussian(seeded(1000 + seed));
      const result = forecastMetric(
        'cart',
        'cpu_usage_percent',
        series(HOURS, () => 60 + 8 * noise()),
        options(),
      );
      if (result.verdict === 'crossing') crossings++;
    }
    expect(crossings / seeds).toBeLessThanOrEqual(0.05);
  });

  it('predicts no crossing for noise on a daily cycle either (autocorrelated residuals)', () => {
    let crossings = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const noise = gaussian(seeded(5000 + seed));
      const phase = seed / 10;
      const result = forecastMetric(
        'cart',
        'cpu_usage_percent',
        series(HOURS, (h) => 55 + 15 * Math.sin((2 * Math.PI * h) / 24 + phase) + 4 * noise()),
        options(),
      );
      if (result.verdict === 'crossing') crossings++;
    }
    expect(crossings).toBeLessThanOrEqual(5);
  });

  it('forecasts near the new level after a settled step, without a crossing', () => {
    // A step is no trend: the recent week is flat, so no crossing is predicted; Holt keeps a
    // little of the rise it saw, so a week out is at the new level plus a bounded drift.
    for (let seed = 1; seed <= 20; seed++) {
      const noise = gaussian(seeded(9000 + seed));
      const result = metricForecast(
        forecastMetric(
          'cart',
          'cpu_usage_percent',
          series(HOURS, (h) => (h < HOURS / 2 ? 40 : 65) + 2 * noise()),
          options(),
        ),
      );
      expect(result.verdict).toBe('no_crossing');
      expect(result.forecasts[0]?.value).toBeGreaterThan(60);
      expect(result.forecasts[0]?.value).toBeLessThan(80);
    }
  });

  it('says "no crossing at the current trend" for a declining series', () => {
    const result = metricForecast(
      forecastMetric(
        'cart',
        'memory_usage_percent',
        series(HOURS, (h) => 80 - 0.02 * h),
        options(),
      ),
    );
    expect(result.verdict).toBe('no_crossing');
    expect(result.reason).toBe('flat or declining');
    expect(result.sentence).toMatch(/^cart memory: no crossing of 90 % at the current trend/);
  });

  it('reports a level already above the threshold', () => {
    const result = forecastMetric(
      'cart',
      'cpu_usage_percent',
      series(48, () => 95),
      options({}, 48),
    );
    expect(result.verdict).toBe('above_threshold');
    expect(result.sentence).toBe('cart CPU is at 95 %, already at or above 90 %');
  });

  it('gives the trend alone for a rate without a capacity', () => {
    const result = metricForecast(
      forecastMetric(
        'cart',
        'request_rate_rps',
        series(HOURS, (h) => 10 + 0.01 * h),
        options({ threshold: null }),
      ),
    );
    expect(result.verdict).toBe('trend_only');
    expect(result.trend_per_day).toBeCloseTo(0.24, 2);
    expect(result.sentence).toMatch(/^cart request rate: 16\.\d+ rps now, \+0\.24 rps\/day/);
  });

  it('puts a crossing past the horizon beyond it, not among the findings', () => {
    const result = metricForecast(
      forecastMetric(
        'cart',
        'cpu_usage_percent',
        series(HOURS, (h) => 20 + 0.02 * h),
        options(),
      ),
    );
    // 33.4 % now, +0.48 %/day: 90 % in ~118 days.
    expect(result.verdict).toBe('beyond_horizon');
    expect(result.crossing?.in_days).toBeGreaterThan(100);
  });

  it('bridges gaps (missing buckets) instead of reading them as 0', () => {
    const points = series(HOURS, (h) => 30 + (1.2 / 24) * h).filter((_, i) => i % 5 !== 0);
    const result = metricForecast(forecastMetric('cart', 'cpu_usage_percent', points, options()));
    expect(result.verdict).toBe('crossing');
    expect(result.crossing?.in_days).toBeCloseTo(22, 0);
  });

  it('counts from now when the history stopped a while ago', () => {
    const stale = options({ now_s: START + (HOURS + 48) * HOUR });
    const result = metricForecast(
      forecastMetric(
        'cart',
        'cpu_usage_percent',
        series(HOURS, (h) => 30 + (1.2 / 24) * h),
        stale,
      ),
    );
    expect(result.crossing?.in_days).toBeCloseTo(20, 0);
  });

  it('names a bad option', () => {
    expect(() =>
      forecastMetric('cart', 'cpu_usage_percent', [], options({ interval_ratio: 1.5 })),
    ).toThrow('interval_ratio must be in (0, 1), got 1.5');
    expect(() => forecastMetric('cart', 'cpu_usage_percent', [], options({ bucket_s: 0 }))).toThrow(
      'bucket_s must be a number > 0',
    );
  });
});
