import { loadConfig } from '../config.loader';
import { ConfigFixture } from '../testing/config-fixture';
import { validateConfigPart } from '../validate/schema.validator';
import { CapacityConfig, capacityConfigIssues } from './capacity.schema';

function check(plain: Record<string, unknown>): string[] {
  const { value, issues } = validateConfigPart(CapacityConfig, plain, 'thresholds.capacity');
  return [
    ...issues.map((i) => `${i.segments.join('.')}: ${i.message}`),
    ...(issues.length === 0 ? capacityConfigIssues(value).map(([k, m]) => `${k}: ${m}`) : []),
  ];
}

describe('thresholds.capacity', () => {
  it('has a default for every key (the section may be left out)', () => {
    const { value, issues } = validateConfigPart(CapacityConfig, {}, 'thresholds.capacity');
    expect(issues).toEqual([]);
    expect(value).toMatchObject({
      history_days: 28,
      bucket_minutes: 60,
      persist_every_minutes: 5,
      min_points: 24,
      min_span_hours: 24,
      horizon_days: 30,
      interval_ratio: 0.9,
      trend_window_days: 7,
      cpu_threshold_percent: 90,
      memory_threshold_percent: 90,
    });
    expect(value.services.size).toBe(0);
    expect(capacityConfigIssues(value)).toEqual([]);
  });

  it('accepts request-rate capacities by service', () => {
    const { value, issues } = validateConfigPart(
      CapacityConfig,
      { services: { cart: { request_rate_rps: 400 } } },
      'thresholds.capacity',
    );
    expect(issues).toEqual([]);
    expect(value.services.get('cart')?.request_rate_rps).toBe(400);
  });

  it.each([
    [
      { cpu_threshold_percent: 190 },
      'cpu_threshold_percent: must be a percentage between 0 and 100, got 190',
    ],
    [
      { interval_ratio: 90 },
      'interval_ratio: must be a ratio between 0 and 1, got 90 (a percentage? write 0.9)',
    ],
    [{ interval_ratio: 1 }, 'interval_ratio: must be below 1'],
    [{ bucket_minutes: 7 }, 'bucket_minutes: must divide a day (1440 minutes), got 7'],
    [
      { bucket_minutes: 15 },
      'history_days: keeps 2688 points per metric at bucket_minutes 15; at most 1500',
    ],
    [{ history_days: '28' }, 'history_days: must be an integer between 2 and 62'],
    [{ horizon: 30 }, 'horizon'],
    [
      { services: { cart: { request_rate_rps: -1 } } },
      'services.cart.request_rate_rps: must be a rate',
    ],
  ])('refuses %j, naming the key', (plain, message) => {
    expect(check(plain).join('\n')).toContain(message);
  });
});

describe('thresholds.capacity in the whole config', () => {
  it('loads the shipped config with the defaults, and refuses a capacity for an unknown service', () => {
    const fixture = ConfigFixture.shippedWithOverlay({});
    try {
      const { config } = loadConfig({ configDir: fixture.dir, env: {} });
      expect(config.thresholds.capacity.history_days).toBe(28);
    } finally {
      fixture.remove();
    }
    const bad = ConfigFixture.shippedWithOverlay({
      thresholds: { capacity: { services: { nope: { request_rate_rps: 100 } } } },
    });
    try {
      expect(() => loadConfig({ configDir: bad.dir, env: {} })).toThrow(
        /thresholds\.capacity\.services\.nope.*unknown service/,
      );
    } finally {
      bad.remove();
    }
  });
});
