import { loadConfig } from '../config.loader';
import { ConfigError } from '../load/config-issue';
import { ConfigFixture } from '../testing/config-fixture';

/** Every error line of a config that must not load. */
function errorsOf(fixture: ConfigFixture): string[] {
  try {
    loadConfig({ configDir: fixture.dir, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.lines();
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const FAST =
  "fast: { burn_rate: 14.4, long_window_minutes: 60, short_window_minutes: 5, severity: 'high' },";

describe('thresholds/slo.json5: objectives and burn alerts, strictly', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.shipped();
  });
  afterEach(() => fixture.remove());

  it('loads the shipped objectives and the workbook’s alerts', () => {
    const { slo } = loadConfig({ configDir: fixture.dir, env: {} }).config.thresholds;
    expect(slo.objectives.get('checkout')).toEqual(
      expect.objectContaining({ availability_ratio: 0.999, latency_p99_ms: 5000, window_days: 30 }),
    );
    expect(slo.burn_alerts?.fast).toEqual(
      expect.objectContaining({
        burn_rate: 14.4,
        long_window_minutes: 60,
        short_window_minutes: 5,
      }),
    );
  });

  it('names a window the wrong way round, a window too long, a 100 % objective and a bad severity', () => {
    fixture.patch(
      'project/thresholds/slo.json5',
      FAST,
      "fast: { burn_rate: 14.4, long_window_minutes: 5, short_window_minutes: 60, severity: 'page' },",
    );
    fixture.patch(
      'project/thresholds/slo.json5',
      'long_window_minutes: 360',
      'long_window_minutes: 2880',
    );
    fixture.patch(
      'project/thresholds/slo.json5',
      'cart: { availability_ratio: 0.995',
      'cart: { availability_ratio: 1',
    );
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/slo.json5: burn_alerts.fast.severity: must be one of critical, high, medium, low (got "page")',
    ]);
    fixture.patch('project/thresholds/slo.json5', "severity: 'page'", "severity: 'high'");
    expect(errorsOf(fixture)).toEqual([
      'project/thresholds/slo.json5: objectives.cart.availability_ratio: must be below 1: a 100 % objective leaves no error budget (try 0.999)',
      'project/thresholds/slo.json5: burn_alerts.fast.short_window_minutes: must be shorter than long_window_minutes (5); the workbook uses 1/12 of it',
      'project/thresholds/slo.json5: burn_alerts.slow.long_window_minutes: must be at most 1440 (a day): ops-monitor keeps minute buckets that long, got 2880',
    ]);
  });

  it('refuses an unknown key and a burn rate that is no burn', () => {
    fixture.patch(
      'project/thresholds/slo.json5',
      FAST,
      "fast: { burn_rate: 1, long_window_minutes: 60, short_window_minutes: 5, severity: 'high', page: true },",
    );
    const errors = errorsOf(fixture);
    expect(errors).toEqual(
      expect.arrayContaining([
        'project/thresholds/slo.json5: burn_alerts.fast.burn_rate: must be a number greater than 1',
      ]),
    );
    expect(errors.some((line) => line.includes('burn_alerts.fast.page'))).toBe(true);
  });
});
