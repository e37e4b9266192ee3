import { ServiceUnavailableException } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { REPORT_TEXT_MAX_LENGTH } from '@opscrew/contracts';
import {
  accountSample,
  emptyLedger,
  ledgerLayout,
  resolveSloSettings,
  type ServiceSlo,
  type SloLedger,
  sloLedgerKey,
  validateSloLedger,
} from '@opscrew/incident';
import { type KvFactory, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { SloDailyReport } from './slo-daily.report';
import { SloView } from './slo-view.service';
import { SloController } from './slo.controller';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
const settings = resolveSloSettings(loaded.config.thresholds.slo);
const NOW = Date.parse('2026-12-07T09:45:00Z');

/** 15 s cycles from `from` to `to` at an error ratio, added to a service's ledger. */
function cycles(
  service: string,
  from: number,
  to: number,
  errors: number,
  ledger?: SloLedger,
): SloLedger {
  const slo = settings.services.get(service) as ServiceSlo;
  let current = ledger ?? emptyLedger(service, ledgerLayout(slo, settings.alerts));
  for (let at = from + 15_000; at <= to; at += 15_000)
    current = accountSample(
      current,
      {
        at_ms: at,
        window_s: 15,
        request_rate_rps: 10,
        error_rate_ratio: errors,
        latency_p99_ms: 100,
      },
      slo.latency.latency_p99_ms ?? Infinity,
    );
  return current;
}

describe('GET /slo and the slo-daily report', () => {
  let kv: TypedKv<SloLedger>;
  let view: SloView;

  beforeEach(async () => {
    kv = new TypedKv(new FakeKv('slo').asKv(), 'slo', { validate: validateSloLedger });
    const factory = { open: () => Promise.resolve(kv) } as unknown as KvFactory;
    view = new SloView(factory, loaded);
    // checkout healthy for 2 h; cart at 50 % errors for its last 10 minutes after a good hour.
    await kv.put(sloLedgerKey('checkout'), cycles('checkout', NOW - 120 * 60_000, NOW, 0));
    const healthy = cycles('cart', NOW - 70 * 60_000, NOW - 10 * 60_000, 0);
    const cart = cycles('cart', NOW - 10 * 60_000, NOW, 0.5, healthy);
    await kv.put(sloLedgerKey('cart'), cart);
  });

  it('answers every configured service with target, window, SLI, budget, burn rates, alert and coverage', async () => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const answer = await new SloController(view).get();
      expect(answer.services.map((s) => s.service).sort()).toEqual([
        'cart',
        'checkout',
        'frontend',
        'payment',
        'product-catalog',
      ]);
      expect(answer.burn_alerts).toEqual([
        {
          name: 'fast',
          burn_rate: 14.4,
          long_window: '1h',
          short_window: '5m',
          severity: 'high',
          min_coverage_ratio: 0.5,
        },
        {
          name: 'slow',
          burn_rate: 6,
          long_window: '6h',
          short_window: '30m',
          severity: 'medium',
          min_coverage_ratio: 0.5,
        },
      ]);
      const checkout = answer.services.find((s) => s.service === 'checkout');
      expect(checkout?.objectives.availability).toEqual(
        expect.objectContaining({
          kind: 'availability',
          target: 0.999,
          window_days: 30,
          sli: 1,
          budget: {
            total_ratio: expect.closeTo(0.001, 9) as number,
            consumed_ratio: 0,
            remaining_ratio: 1,
          },
          alerting: null,
        }),
      );
      expect(checkout?.objectives.availability.coverage_ratio).toBeCloseTo(120 / (30 * 24 * 60), 4);
      expect(checkout?.objectives.latency).toEqual(
        expect.objectContaining({ kind: 'latency', latency_p99_ms: 5000, sli: 1 }),
      );
      const cart = answer.services.find((s) => s.service === 'cart');
      expect(cart?.objectives.availability.alerting).toBe('fast');
      expect(Object.keys(cart?.objectives.availability.burn_rates ?? {})).toEqual([
        '1h',
        '5m',
        '6h',
        '30m',
        '30d',
      ]);
      // Cart (99.5 %) lost 50 % of 10 of its 70 minutes: overspent.
      expect(cart?.objectives.availability.budget.remaining_ratio).toBeLessThan(0);
      const frontend = answer.services.find((s) => s.service === 'frontend');
      expect(frontend?.objectives.availability).toEqual(
        expect.objectContaining({ sli: null, coverage_ratio: 0, alerting: null }),
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves out a service whose stored value is corrupt, naming it, and answers the rest', async () => {
    const raw = new FakeKv('slo');
    kv = new TypedKv(raw.asKv(), 'slo', { validate: validateSloLedger });
    await raw.put(sloLedgerKey('cart'), new TextEncoder().encode('{"v":2}'));
    const factory = { open: () => Promise.resolve(kv) } as unknown as KvFactory;
    const answer = await new SloView(factory, loaded).answer(new Date(NOW));
    expect(answer.services).toHaveLength(4);
    expect(answer.unreadable).toEqual([
      { service: 'cart', error: expect.stringContaining('v: must be 1, got 2') as string },
    ]);
  });

  it('answers 503 while the bucket cannot be read', async () => {
    const broken = new SloView(
      {
        open: () => Promise.reject(new Error('bus: bucket slo does not exist')),
      } as unknown as KvFactory,
      loaded,
    );
    await expect(new SloController(broken).get()).rejects.toThrow(ServiceUnavailableException);
  });

  it('reports one line per service within the report limit, burning budgets first in the header', async () => {
    const report = await new SloDailyReport(view).build(new Date(NOW));
    expect(report.title).toBe('SLO report 2026-12-07');
    const lines = report.text.split('\n');
    expect(lines[0]).toBe('5 service(s) with SLOs; burning too fast: cart.');
    expect(lines).toHaveLength(6);
    expect(lines.find((l) => l.startsWith('cart '))).toMatch(
      /^cart \(30 d, .* observed\): availability .* of 99\.5 %, budget overspent by .*, burn 1h .*× 6h .*× \[FAST BURN\]; latency ≤ 3000 ms 100 % of 99\.5 %, budget 100 % left, burn 1h 0× 6h 0×$/,
    );
    expect(lines.find((l) => l.startsWith('frontend '))).toContain('no data');
    expect(report.text.length).toBeLessThanOrEqual(REPORT_TEXT_MAX_LENGTH);
    expect(report.fields.checkout).toBe(
      'availability budget 100 % left, latency budget 100 % left',
    );
    expect(Object.keys(report.fields)).toHaveLength(5);
  });

  it('slo-daily is a report producer named after its schedule', () => {
    expect(new SloDailyReport(view).name).toBe('slo-daily');
  });
});
