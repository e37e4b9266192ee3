import { Logger } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { KV_BUCKETS } from '@opscrew/contracts';
import { resolveSloSettings, sloLedgerKey, validateSloLedger } from '@opscrew/incident';
import { type MetricsSnapshot } from '@opscrew/integrations';
import { KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { SloAccountant } from './slo-accountant.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

const settings = resolveSloSettings(
  loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config.thresholds.slo,
);
const T0 = Date.parse('2026-12-07T00:00:00Z');

function snapshot(atMs: number, errors: number): MetricsSnapshot {
  const at = new Date(atMs).toISOString();
  return {
    at,
    samples: [...settings.services.keys()].map((service) => ({
      service,
      at,
      window_s: 15,
      request_rate_rps: 25,
      error_rate_ratio: service === 'checkout' ? errors : 0,
      latency_p99_ms: 80,
    })),
    missing: [],
  };
}

describe('SloAccountant against NATS: the slo bucket keeps the window across restarts', () => {
  let bus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    // A namespace of its own: every bucket (slo included) provisioned for this run, removed after.
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'slo-accountant'));
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  const open = () => new KvFactory(bus).open(KV_BUCKETS.slo, { validate: validateSloLedger });

  it('round-trips every service’s ledger: a restarted accountant sees exactly what the first counted', async () => {
    const first = new SloAccountant(await open(), settings);
    // Two hours of 15 s cycles, checkout at 0.05 % errors.
    for (let at = T0 + 15_000; at <= T0 + 2 * 3_600_000; at += 15_000)
      await first.observe(snapshot(at, 0.0005), new Set(), new Date(at));
    await first.flush();
    const now = new Date(T0 + 2 * 3_600_000);
    const before = first.status(now);

    // A new process, a new connection to the bucket: its first cycle restores the counts.
    const second = new SloAccountant(await open(), settings);
    await second.observe({ at: now.toISOString(), samples: [], missing: [] }, new Set(), now);
    expect(second.status(now)).toEqual(before);

    const checkout = before.find((s) => s.service === 'checkout');
    expect(checkout?.objectives.availability.sli).toBeCloseTo(0.9995, 6);
    expect(checkout?.objectives.availability.budget.consumed_ratio).toBeCloseTo(0.5, 4);
    expect(checkout?.objectives.availability.coverage_ratio).toBeCloseTo(2 / (30 * 24), 4);

    // What is stored is the bounded, validated ledger, one key per service.
    const kv = await open();
    expect((await kv.keys()).sort()).toEqual(
      [...settings.services.keys()].map(sloLedgerKey).sort(),
    );
    const stored = await kv.get(sloLedgerKey('checkout'));
    expect(stored?.value.fine.length).toBeLessThanOrEqual(121);
    expect(stored?.value.coarse.length).toBeLessThanOrEqual(3);
  });

  it('two replicas writing the same minutes by CAS keep each request once', async () => {
    const a = new SloAccountant(await open(), settings);
    const b = new SloAccountant(await open(), settings);
    const from = T0 + 3 * 3_600_000;
    for (let at = from + 15_000; at <= from + 20 * 60_000; at += 15_000) {
      const snap = snapshot(at, 0);
      await Promise.all([
        a.observe(snap, new Set(), new Date(at)),
        b.observe(snap, new Set(), new Date(at)),
      ]);
    }
    await Promise.all([a.flush(), b.flush()]);
    const stored = await (await open()).get(sloLedgerKey('cart'));
    const inHour = (stored?.value.fine ?? [])
      .filter((row) => row[0] * 60_000 >= from)
      .reduce((sum, row) => sum + row[2], 0);
    expect(inHour).toBeCloseTo(25 * 20 * 60, 0);
  });
});
