import fc from 'fast-check';
import {
  accountSample,
  COARSE_ROWS_MAX,
  conformLedger,
  emptyLedger,
  ledgerLayout,
  mergeLedgers,
  pruneLedger,
  type SliSample,
  type SloLedger,
  validateSloLedger,
  windowCounts,
} from './slo-ledger';
import { DEFAULT_BURN_ALERTS, resolveSloSettings, type ServiceSlo } from './slo-policy';
import { serviceSloStatus } from './slo-status';

const settings = resolveSloSettings({
  objectives: new Map([
    ['cart', { availability_ratio: 0.999, latency_p99_ms: 500, window_days: 30 }],
  ]),
});
const cart = settings.services.get('cart') as ServiceSlo;
const layout = ledgerLayout(cart, settings.alerts);
const T0 = Date.parse('2026-12-01T00:00:00Z');
const CYCLE_S = 15;

function sample(
  atMs: number,
  errors: number | null,
  p99: number | null = 100,
  rps = 10,
): SliSample {
  return {
    at_ms: atMs,
    window_s: CYCLE_S,
    request_rate_rps: rps,
    error_rate_ratio: errors,
    latency_p99_ms: p99,
  };
}

/** Runs cycles every 15 s from `from` for `minutes`, each sample from `make`. */
function run(
  ledger: SloLedger,
  from: number,
  minutes: number,
  make: (atMs: number) => SliSample,
): SloLedger {
  let current = ledger;
  for (let at = from + CYCLE_S * 1000; at <= from + minutes * 60_000; at += CYCLE_S * 1000)
    current = pruneLedger(accountSample(current, make(at), 500), layout, at);
  return current;
}

function status(ledger: SloLedger, nowMs: number) {
  return serviceSloStatus(cart, ledger, layout, settings.alerts, nowMs);
}

describe('SLI accounting', () => {
  it('counts requests = rate × span and errors = ratio × requests, per SLI', () => {
    const ledger = run(emptyLedger('cart', layout), T0, 10, (at) => sample(at, 0.1, 800));
    const now = T0 + 10 * 60_000;
    const availability = windowCounts(ledger, 'availability', 3_600_000, now, layout);
    expect(availability.total).toBeCloseTo(10 * 600, 3);
    expect(availability.good).toBeCloseTo(0.9 * 10 * 600, 3);
    expect(availability.observed_ms).toBe(600_000);
    const latency = windowCounts(ledger, 'latency', 3_600_000, now, layout);
    // Every slice's p99 (800 ms) breaks the 500 ms objective: all seconds bad.
    expect(latency).toEqual({ good: 0, total: 600, observed_ms: 600_000 });
  });

  it('counts an overlapping window once, and a repeated sample not at all', () => {
    let ledger = accountSample(emptyLedger('cart', layout), sample(T0, 0), 500);
    ledger = accountSample(ledger, { ...sample(T0 + 15_000, 0), window_s: 60 }, 500);
    ledger = accountSample(ledger, sample(T0 + 15_000, 0), 500);
    const counts = windowCounts(ledger, 'availability', 3_600_000, T0 + 15_000, layout);
    expect(counts.total).toBeCloseTo(10 * 30, 6);
  });

  it('no traffic counts nothing; unmeasured is unknown (not observed), never good', () => {
    let ledger = accountSample(emptyLedger('cart', layout), sample(T0, null, null, 0), 500);
    ledger = accountSample(ledger, sample(T0 + 15_000, null, null, 10), 500);
    const availability = windowCounts(ledger, 'availability', 3_600_000, T0 + 15_000, layout);
    expect(availability).toEqual({ good: 0, total: 0, observed_ms: 15_000 });
    expect(status(ledger, T0 + 15_000).objectives.availability.sli).toBeNull();
  });

  it('stays bounded: a year of 15 s cycles keeps at most the horizons', () => {
    const yearly = resolveSloSettings({
      objectives: new Map([
        ['cart', { availability_ratio: 0.99, latency_p99_ms: 500, window_days: 366 }],
      ]),
    });
    const spec = yearly.services.get('cart') as ServiceSlo;
    const wide = ledgerLayout(spec, yearly.alerts);
    expect(wide.coarse_step_ms).toBe(13 * 3_600_000);
    let ledger = emptyLedger('cart', layout);
    // Hourly samples over 40 days: coarse rows stay within 30 days, fine within 6 h.
    for (let at = T0; at < T0 + 40 * 86_400_000; at += 3_600_000)
      ledger = pruneLedger(accountSample(ledger, sample(at, 0.01), 500), layout, at);
    expect(ledger.coarse.length).toBeLessThanOrEqual(COARSE_ROWS_MAX + 1);
    expect(ledger.fine.length).toBeLessThanOrEqual(7);
    expect(JSON.stringify(ledger).length).toBeLessThan(64 * 1024);
  });
});

describe('merging and layouts', () => {
  const arbitraryLedger = fc
    .array(
      fc.record({
        minute: fc.integer({ min: 0, max: 300 }),
        errors: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        rps: fc.double({ min: 0, max: 100, noNaN: true }),
      }),
      { maxLength: 40 },
    )
    .map((points) => {
      let ledger = emptyLedger('cart', layout);
      for (const point of [...points].sort((a, b) => a.minute - b.minute))
        ledger = accountSample(
          ledger,
          { ...sample(T0 + point.minute * 60_000, point.errors, 100, point.rps), window_s: 60 },
          500,
        );
      return ledger;
    });

  it('never counts a request twice: merge is idempotent and bounded by its inputs', () => {
    fc.assert(
      fc.property(arbitraryLedger, arbitraryLedger, (a, b) => {
        expect(mergeLedgers(a, a)).toEqual(a);
        const merged = mergeLedgers(a, b);
        const now = T0 + 301 * 60_000;
        const total = (l: SloLedger) =>
          windowCounts(l, 'availability', 6 * 3_600_000, now, layout).total;
        expect(total(merged)).toBeLessThanOrEqual(total(a) + total(b) + 1e-6);
        expect(total(merged)).toBeGreaterThanOrEqual(Math.min(total(a), total(b)) - 1e-6);
        // What this process restored and then extended wins over the stored value.
        expect(
          mergeLedgers(
            b,
            run(b, now, 5, (at) => sample(at, 0)),
          ),
        ).toEqual(run(b, now, 5, (at) => sample(at, 0)));
      }),
    );
  });

  it('keeps the counts when the coarse step changes (a longer SLO window)', () => {
    const ledger = run(emptyLedger('cart', layout), T0, 180, (at) => sample(at, 0.01));
    const wider = { ...layout, coarse_step_ms: 3 * 3_600_000 };
    const conformed = conformLedger(ledger, wider);
    const now = T0 + 180 * 60_000;
    expect(windowCounts(conformed, 'availability', 30 * 86_400_000, now, wider).total).toBeCloseTo(
      windowCounts(ledger, 'availability', 30 * 86_400_000, now, layout).total,
      3,
    );
  });

  it('validates a stored value strictly, naming what is wrong', () => {
    const ledger = run(emptyLedger('cart', layout), T0, 3, (at) => sample(at, 0));
    expect(validateSloLedger(JSON.parse(JSON.stringify(ledger)))).toEqual({
      ok: true,
      value: ledger,
    });
    expect(validateSloLedger({ ...ledger, extra: 1 })).toEqual({
      ok: false,
      reason: 'unknown field(s): extra',
    });
    expect(validateSloLedger({ ...ledger, fine: [[1, 2, 3]] })).toEqual({
      ok: false,
      reason: 'fine[0]: must be 7 numbers ≥ 0 (index, counts, seconds)',
    });
  });
});

describe('burn-rate alerts (workbook defaults)', () => {
  const healthyHour = run(emptyLedger('cart', layout), T0, 60, (at) => sample(at, 0));

  it('a sudden 50 % error ratio fires the fast alert within the 5-minute window', () => {
    const start = T0 + 60 * 60_000;
    let ledger = healthyHour;
    let firedAfterS: number | null = null;
    for (let at = start + 15_000; at <= start + 5 * 60_000; at += 15_000) {
      ledger = accountSample(ledger, sample(at, 0.5), 500);
      if (status(ledger, at).objectives.availability.alerting === 'fast') {
        firedAfterS = (at - start) / 1000;
        break;
      }
    }
    expect(firedAfterS).not.toBeNull();
    expect(firedAfterS ?? Infinity).toBeLessThanOrEqual(300);
  });

  it('clears once the short window drops below, although the long one still burns', () => {
    const start = T0 + 60 * 60_000;
    let ledger = run(healthyHour, start, 10, (at) => sample(at, 0.5));
    ledger = run(ledger, start + 10 * 60_000, 7, (at) => sample(at, 0));
    const now = start + 17 * 60_000;
    const fast = status(ledger, now).objectives.availability.alerts.find((a) => a.name === 'fast');
    expect(fast?.long.exceeds).toBe(true);
    expect(fast?.short.exceeds).toBe(false);
    expect(fast?.firing).toBe(false);
  });

  it('a steady 1 % against 99.9 % (10×) fires slow only once 6 h are half covered, never fast', () => {
    let ledger = emptyLedger('cart', layout);
    const firing: string[] = [];
    for (let hour = 1; hour <= 4; hour++) {
      ledger = run(ledger, T0 + (hour - 1) * 3_600_000, 60, (at) => sample(at, 0.01));
      firing.push(
        `${hour}h:${status(ledger, T0 + hour * 3_600_000).objectives.availability.alerting ?? '-'}`,
      );
    }
    expect(firing).toEqual(['1h:-', '2h:-', '3h:slow', '4h:slow']);
    expect(DEFAULT_BURN_ALERTS.map((a) => a.burn_rate)).toEqual([14.4, 6]);
  });

  it('latency: slow minutes burn the latency budget, not the availability one', () => {
    const ledger = run(healthyHour, T0 + 60 * 60_000, 10, (at) => sample(at, 0, 2000));
    const now = T0 + 70 * 60_000;
    const state = status(ledger, now).objectives;
    expect(state.latency.alerting).toBe('fast');
    expect(state.availability.alerting).toBeNull();
    expect(state.latency.burn_rates['5m']).toBeCloseTo(1 / 0.001, 0);
  });
});
