import { Logger } from '@nestjs/common';
import { CapacityForecaster } from '@opscrew/agent-core';
import { CapacityConfig, type LoadedConfig } from '@opscrew/config';
import { CapacityHistoryRecord, KV_BUCKETS } from '@opscrew/contracts';
import { type ServiceSample } from '@opscrew/integrations';
import { KvFactory, NatsConnectionService } from '@opscrew/messaging';
import {
  openTestBus,
  removeTestTopology,
  testBusOptions,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { type MonitorConfigView } from '../ops-monitor.config';
import { CapacityHistoryRecorder } from './capacity-history.recorder';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

const HOUR_MS = 3_600_000;
const T0 = Date.parse('2026-11-09T00:00:00.000Z');
const HOURS = 28 * 24;

function sample(atMs: number, cpu: number | undefined): ServiceSample {
  return {
    service: 'cart',
    at: new Date(atMs).toISOString(),
    window_s: 30,
    request_rate_rps: 20,
    error_rate_ratio: 0,
    latency_p99_ms: 40,
    ...(cpu === undefined ? {} : { cpu_usage_percent: cpu }),
  };
}

describe('capacity history against NATS KV (persisted, restored across a restart, forecast)', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let reader: NatsConnectionService;
  const config = {
    thresholds: { capacity: new CapacityConfig() },
  } as unknown as MonitorConfigView;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'capacity-writer'));
    reader = new NatsConnectionService(testBusOptions(NATS_URL, namespace, 'capacity-reader'));
    await reader.connect();
  });

  afterAll(async () => {
    await reader.close();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  const recorder = async (): Promise<CapacityHistoryRecorder> => {
    const kv = await new KvFactory(bus).open(KV_BUCKETS.capacity, {
      class: CapacityHistoryRecord,
    });
    return new CapacityHistoryRecorder(kv, config, () => T0 + HOURS * HOUR_MS);
  };

  it('keeps what one process wrote when the next one adds to it, and forecasts from it', async () => {
    // Two weeks by a first process, then a "restart": a fresh recorder adds the next two weeks
    // (and one more sample into the first process's last hour). CPU rises 1.2 %/day; ad has none.
    const first = await recorder();
    for (let h = 0; h < HOURS / 2; h++)
      first.record({
        at: new Date(T0 + h * HOUR_MS).toISOString(),
        samples: [sample(T0 + h * HOUR_MS, 30 + (1.2 / 24) * h)],
        missing: [],
      });
    expect(await first.persist()).toBe(2);

    const second = await recorder();
    const lastOfFirst = T0 + (HOURS / 2 - 1) * HOUR_MS + 30 * 60_000;
    second.record({
      at: '',
      samples: [sample(lastOfFirst, 30 + (1.2 / 24) * (HOURS / 2 - 1))],
      missing: [],
    });
    for (let h = HOURS / 2; h < HOURS; h++)
      second.record({
        at: new Date(T0 + h * HOUR_MS).toISOString(),
        samples: [sample(T0 + h * HOUR_MS, 30 + (1.2 / 24) * h)],
        missing: [],
      });
    await second.onApplicationShutdown();

    const kv = await new KvFactory(reader).open(KV_BUCKETS.capacity, {
      class: CapacityHistoryRecord,
    });
    expect((await kv.keys()).sort()).toEqual(['cart.cpu_usage_percent', 'cart.request_rate_rps']);
    const cpu = (await kv.get('cart.cpu_usage_percent'))?.value;
    expect(cpu?.points.length).toBe(HOURS);
    expect(cpu?.points[HOURS / 2 - 1]?.[3]).toBe(2);

    const loaded = {
      config: { thresholds: { capacity: new CapacityConfig() } },
    } as unknown as LoadedConfig;
    const report = await new CapacityForecaster(kv, loaded, () => T0 + HOURS * HOUR_MS).report(
      'cart',
    );
    const forecast = report.services[0]?.metrics[0];
    expect(forecast?.verdict).toBe('crossing');
    expect(report.findings[0]).toMatch(/^cart CPU reaches 90 % in ~22 days/);
  });
});
