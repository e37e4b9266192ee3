import { CapacityConfig } from '@opscrew/config';
import { CapacityHistoryRecord } from '@opscrew/contracts';
import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { type MonitorConfigView } from '../ops-monitor.config';
import { CapacityHistoryRecorder } from './capacity-history.recorder';

const T0 = Date.parse('2026-12-07T00:00:00.000Z');
const MINUTE = 60_000;

function sample(service: string, atMs: number, extra: Partial<ServiceSample>): ServiceSample {
  return {
    service,
    at: new Date(atMs).toISOString(),
    window_s: 30,
    request_rate_rps: 10,
    error_rate_ratio: 0,
    latency_p99_ms: 50,
    ...extra,
  };
}

function snapshot(samples: ServiceSample[]): MetricsSnapshot {
  return { at: samples[0]?.at ?? new Date(T0).toISOString(), samples, missing: [] };
}

function setup(fake = new FakeKv('capacity'), overrides: Partial<CapacityConfig> = {}) {
  const kv = new TypedKv(fake.asKv(), 'capacity', { class: CapacityHistoryRecord });
  const capacity = Object.assign(new CapacityConfig(), overrides);
  const config = { thresholds: { capacity } } as unknown as MonitorConfigView;
  let now = T0;
  const clock = { set: (ms: number) => (now = ms) };
  const recorder = new CapacityHistoryRecorder(kv, config, () => now);
  return { kv, recorder, clock, fake };
}

describe('CapacityHistoryRecorder', () => {
  it('keeps absent metrics absent: no CPU in the samples, no CPU series (never zeros)', async () => {
    const { kv, recorder } = setup();
    recorder.record(snapshot([sample('cart', T0, { memory_usage_percent: 40 })]));
    expect(await recorder.persist()).toBe(2);
    expect((await kv.keys()).sort()).toEqual([
      'cart.memory_usage_percent',
      'cart.request_rate_rps',
    ]);
  });

  it('averages a bucket, keeps its max, and persists only once the interval has passed', async () => {
    const { kv, recorder, clock } = setup();
    for (const [minute, cpu] of [
      [0, 10],
      [1, 30],
      [2, 20],
    ] as const) {
      clock.set(T0 + minute * MINUTE);
      recorder.record(snapshot([sample('cart', T0 + minute * MINUTE, { cpu_usage_percent: cpu })]));
    }
    await Promise.resolve();
    expect(await kv.get('cart.cpu_usage_percent')).toBeNull();
    clock.set(T0 + 5 * MINUTE);
    recorder.record(snapshot([sample('cart', T0 + 5 * MINUTE, { cpu_usage_percent: 40 })]));
    await recorder.onApplicationShutdown();
    const stored = await kv.get('cart.cpu_usage_percent');
    expect(stored?.value).toEqual({
      service: 'cart',
      metric: 'cpu_usage_percent',
      bucket_s: 3600,
      points: [[T0 / 1000, 25, 40, 4]],
    });
  });

  it('merges with what is stored: a restarted process adds to the same bucket, weighted by count', async () => {
    const fake = new FakeKv('capacity');
    const first = setup(fake);
    first.recorder.record(snapshot([sample('cart', T0, { cpu_usage_percent: 10 })]));
    await first.recorder.persist();
    const second = setup(fake);
    second.recorder.record(snapshot([sample('cart', T0 + MINUTE, { cpu_usage_percent: 40 })]));
    second.recorder.record(snapshot([sample('cart', T0 + 2 * MINUTE, { cpu_usage_percent: 40 })]));
    second.recorder.record(snapshot([sample('cart', T0 + 61 * MINUTE, { cpu_usage_percent: 50 })]));
    await second.recorder.persist();
    expect((await second.kv.get('cart.cpu_usage_percent'))?.value.points).toEqual([
      [T0 / 1000, 30, 40, 3],
      [T0 / 1000 + 3600, 50, 50, 1],
    ]);
  });

  it('keeps only history_days of buckets', async () => {
    const { kv, recorder } = setup(undefined, { history_days: 2 });
    for (let hour = 0; hour < 60; hour++)
      recorder.record(
        snapshot([sample('cart', T0 + hour * 60 * MINUTE, { cpu_usage_percent: hour })]),
      );
    await recorder.persist();
    const points = (await kv.get('cart.cpu_usage_percent'))?.value.points ?? [];
    expect(points.length).toBe(48);
    expect(points[0]?.[1]).toBe(12);
  });

  it('keeps a series that could not be written pending for the next round', async () => {
    const fake = new FakeKv('capacity');
    const { kv, recorder } = setup(fake);
    let fail = true;
    fake.beforeWrite = () => {
      if (fail) throw new Error('NATS unavailable');
    };
    recorder.record(snapshot([sample('cart', T0, { cpu_usage_percent: 10 })]));
    expect(await recorder.persist()).toBe(0);
    fail = false;
    recorder.record(snapshot([sample('cart', T0 + MINUTE, { cpu_usage_percent: 30 })]));
    // Both series (CPU and request rate), each with both samples.
    expect(await recorder.persist()).toBe(2);
    expect((await kv.get('cart.cpu_usage_percent'))?.value.points).toEqual([
      [T0 / 1000, 20, 30, 2],
    ]);
  });
});
