import { Logger } from '@nestjs/common';
import {
  resolveSloSettings,
  type SloLedger,
  type SloSettings,
  sloLedgerKey,
  validateSloLedger,
} from '@opscrew/incident';
import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { type Sighting } from '../incidents/sighting';
import { SloAccountant } from './slo-accountant.service';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const CYCLE_MS = 15_000;

const settings: SloSettings = resolveSloSettings({
  objectives: new Map([
    ['checkout', { availability_ratio: 0.999, latency_p99_ms: 5000, window_days: 30 }],
    ['cart', { availability_ratio: 0.999, latency_p99_ms: 3000, window_days: 30 }],
  ]),
  persist_interval_s: 60,
});

function sample(service: string, atMs: number, errors: number | null): ServiceSample {
  return {
    service,
    at: new Date(atMs).toISOString(),
    window_s: CYCLE_MS / 1000,
    request_rate_rps: 20,
    error_rate_ratio: errors,
    latency_p99_ms: 120,
  };
}

function snapshot(atMs: number, errors: Record<string, number | null>): MetricsSnapshot {
  return {
    at: new Date(atMs).toISOString(),
    samples: Object.entries(errors).map(([service, e]) => sample(service, atMs, e)),
    missing: [],
  };
}

describe('SloAccountant', () => {
  beforeAll(() => {
    Logger.overrideLogger(['error']);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  let fake: FakeKv;
  let kv: TypedKv<SloLedger>;
  beforeEach(() => {
    fake = new FakeKv('slo');
    kv = new TypedKv(fake.asKv(), 'slo', { validate: validateSloLedger });
  });

  /** Runs 15 s cycles from `from` for `minutes`; the sightings of each cycle, with its time. */
  async function cycles(
    accountant: SloAccountant,
    from: number,
    minutes: number,
    errors: (atMs: number) => Record<string, number | null>,
    deliberate: ReadonlySet<string> = new Set(),
  ): Promise<{ at: number; sightings: Sighting[] }[]> {
    const out: { at: number; sightings: Sighting[] }[] = [];
    for (let at = from + CYCLE_MS; at <= from + minutes * 60_000; at += CYCLE_MS)
      out.push({
        at,
        sightings: await accountant.observe(snapshot(at, errors(at)), deliberate, new Date(at)),
      });
    return out;
  }

  it('a sudden 50 % error ratio opens a fast burn (high) within the 5-minute window; healthy services stay quiet', async () => {
    const accountant = new SloAccountant(kv, settings);
    const healthy = await cycles(accountant, T0, 60, () => ({ checkout: 0, cart: 0 }));
    expect(healthy.flatMap((c) => c.sightings)).toEqual([]);
    const start = T0 + 60 * 60_000;
    const burning = await cycles(accountant, start, 5, () => ({ checkout: 0.5, cart: 0 }));
    const first = burning.find((c) => c.sightings.length > 0);
    expect(first).toBeDefined();
    expect((first?.at ?? Infinity) - start).toBeLessThanOrEqual(5 * 60_000);
    expect(first?.sightings).toEqual([
      expect.objectContaining({
        service: 'checkout',
        symptom: 'slo_burn_fast',
        rule: 'slo',
        metric: 'error_budget_burn_rate',
        severity: 'high',
        threshold: 14.4,
        informational: false,
      }),
    ]);
    expect(first?.sightings[0]?.detail).toMatch(
      /^availability SLO \(availability 99\.9 % over 30 d\) burning its error budget .*× over 1h and .*× over 5m \(alert above 14\.4×\)/,
    );
  });

  it('a slow 1 % against 99.9 % opens a slow burn (medium) only after enough data, never a fast one', async () => {
    const accountant = new SloAccountant(kv, settings);
    const seen = await cycles(accountant, T0, 4 * 60, () => ({ checkout: 0.01 }));
    const symptoms = new Set(seen.flatMap((c) => c.sightings.map((s) => s.symptom)));
    expect([...symptoms]).toEqual(['slo_burn_slow']);
    const first = seen.find((c) => c.sightings.length > 0);
    // The 6 h window must be half observed: three hours of data.
    expect((first?.at ?? 0) - T0).toBeGreaterThanOrEqual(3 * 3_600_000);
    expect(first?.sightings[0]).toEqual(
      expect.objectContaining({ service: 'checkout', severity: 'medium', threshold: 6 }),
    );
  });

  it('marks the sightings of a service under deliberate work informational', async () => {
    const accountant = new SloAccountant(kv, settings);
    await cycles(accountant, T0, 60, () => ({ cart: 0 }));
    const seen = await cycles(
      accountant,
      T0 + 3_600_000,
      3,
      () => ({ cart: 0.9 }),
      new Set(['cart']),
    );
    const sightings = seen.flatMap((c) => c.sightings);
    expect(sightings.length).toBeGreaterThan(0);
    expect(sightings.every((s) => s.informational)).toBe(true);
  });

  it('survives a restart: the counts are written at most every persist interval and restored', async () => {
    const first = new SloAccountant(kv, settings);
    let writes = 0;
    fake.beforeWrite = () => {
      writes++;
    };
    await cycles(first, T0, 60, () => ({ checkout: 0 }));
    // One write a minute (the first cycle's included), never one per 15 s cycle.
    expect(writes).toBeGreaterThanOrEqual(59);
    expect(writes).toBeLessThanOrEqual(61);
    await first.flush();
    const stored = await kv.get(sloLedgerKey('checkout'));
    expect(stored?.value.last_at_ms).toBe(T0 + 60 * 60_000);

    // A new process: its first cycle restores the hour, so a burn fires as quickly as before.
    const second = new SloAccountant(kv, settings);
    const burning = await cycles(second, T0 + 60 * 60_000, 5, () => ({ checkout: 0.5 }));
    expect(burning.some((c) => c.sightings.some((s) => s.symptom === 'slo_burn_fast'))).toBe(true);
    const status = second.status(new Date(T0 + 65 * 60_000));
    const checkout = status.find((s) => s.service === 'checkout');
    expect(checkout?.objectives.availability.coverage_ratio).toBeCloseTo(65 / (30 * 24 * 60), 4);
  });

  it('two replicas never double-count: the merged ledger holds each minute once', async () => {
    const a = new SloAccountant(kv, settings);
    const b = new SloAccountant(kv, settings);
    for (let at = T0 + CYCLE_MS; at <= T0 + 30 * 60_000; at += CYCLE_MS) {
      await a.observe(snapshot(at, { checkout: 0.01 }), new Set(), new Date(at));
      await b.observe(snapshot(at, { checkout: 0.01 }), new Set(), new Date(at));
    }
    await a.flush();
    await b.flush();
    const stored = await kv.get(sloLedgerKey('checkout'));
    const total = (stored?.value.coarse ?? []).reduce((sum, row) => sum + row[2], 0);
    expect(total).toBeCloseTo(20 * 30 * 60, 0);
  });

  it('keeps counting when the bucket fails, and writes later', async () => {
    const accountant = new SloAccountant(kv, settings);
    fake.beforeWrite = () => {
      throw new Error('bucket down');
    };
    await cycles(accountant, T0, 5, () => ({ checkout: 0 }));
    fake.beforeWrite = null;
    await accountant.flush();
    const stored = await kv.get(sloLedgerKey('checkout'));
    expect(stored?.value.last_at_ms).toBe(T0 + 5 * 60_000);
  });
});
