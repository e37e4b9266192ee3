import { BadRequestException } from '@nestjs/common';
import { CapacityForecaster } from '@opscrew/agent-core';
import { type LoadedConfig } from '@opscrew/config';
import { CapacityConfig, ServiceCapacityConfig } from '@opscrew/config';
import { CapacityHistoryRecord, type CapacityHistoryPoint } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { ForecastController } from './forecast.controller';

const HOUR = 3600;
const START = 1_796_601_600; // 2026-12-07T00:00:00Z
const HOURS = 28 * 24;
const NOW_MS = (START + HOURS * HOUR) * 1000;

function points(hours: number, valueAt: (h: number) => number): CapacityHistoryPoint[] {
  return Array.from({ length: hours }, (_, h) => {
    const v = valueAt(h);
    return [START + (HOURS - hours + h) * HOUR, v, v, 60];
  });
}

async function forecaster(): Promise<CapacityForecaster> {
  const kv = new TypedKv(new FakeKv('capacity').asKv(), 'capacity', {
    class: CapacityHistoryRecord,
  });
  const put = (
    service: string,
    metric: CapacityHistoryRecord['metric'],
    p: CapacityHistoryPoint[],
  ) => kv.put(`${service}.${metric}`, { service, metric, bucket_s: HOUR, points: p });
  // cart: CPU 30 % rising 1.2 %/day (90 % in ~22 days), memory flat, requests rising.
  await put(
    'cart',
    'cpu_usage_percent',
    points(HOURS, (h) => 30 + (1.2 / 24) * h),
  );
  await put(
    'cart',
    'memory_usage_percent',
    points(HOURS, () => 50),
  );
  await put(
    'cart',
    'request_rate_rps',
    points(HOURS, (h) => 100 + h),
  );
  // ad: only ten hours so far.
  await put(
    'ad',
    'cpu_usage_percent',
    points(10, () => 20),
  );
  const capacity = Object.assign(new CapacityConfig(), {
    services: new Map([
      ['cart', Object.assign(new ServiceCapacityConfig(), { request_rate_rps: 1200 })],
    ]),
  });
  const loaded = { config: { thresholds: { capacity } } } as unknown as LoadedConfig;
  return new CapacityForecaster(kv, loaded, () => NOW_MS);
}

describe('GET /forecast (ForecastController over the capacity bucket)', () => {
  it('answers per service and metric, with the findings as sentences', async () => {
    const controller = new ForecastController(await forecaster());
    const report = await controller.forecast();
    expect(report.services.map((s) => s.service)).toEqual(['ad', 'cart']);
    const cart = report.services.find((s) => s.service === 'cart');
    expect(cart?.metrics.map((m) => [m.metric, m.verdict])).toEqual([
      ['cpu_usage_percent', 'crossing'],
      ['memory_usage_percent', 'no_crossing'],
      ['request_rate_rps', 'crossing'],
    ]);
    const cpu = cart?.metrics[0];
    if (cpu === undefined || cpu.verdict === 'insufficient_data')
      throw new Error('no cpu forecast');
    expect(cpu).toMatchObject({ points: HOURS, span_hours: HOURS, threshold: 90 });
    expect(cpu.trend_per_day).toBeCloseTo(1.2, 2);
    expect(cpu.forecasts.map((f) => f.days)).toEqual([7, 14, 30]);
    expect(cpu.crossing?.in_days).toBeCloseTo(22, 0);
    // Soonest first.
    expect(report.findings[0]).toMatch(/^cart request rate reaches 1200 rps in ~18 days \(/);
    expect(report.findings[1]).toMatch(/^cart CPU reaches 90 % in ~22 days \(/);
    expect(report.insufficient_data).toEqual(['ad']);
    const ad = report.services.find((s) => s.service === 'ad')?.metrics[0];
    expect(ad).toMatchObject({
      verdict: 'insufficient_data',
      reason: 'insufficient data: have 10 h, need 24 h',
    });
  });

  it('narrows to ?service= and refuses a malformed name', async () => {
    const controller = new ForecastController(await forecaster());
    expect((await controller.forecast('ad')).services.map((s) => s.service)).toEqual(['ad']);
    expect((await controller.forecast('nope')).services).toEqual([]);
    await expect(controller.forecast('../etc')).rejects.toThrow(BadRequestException);
    await expect(controller.forecast(['a', 'b'])).rejects.toThrow(
      'service: must be one service name',
    );
  });

  it('summarises for the weekly report: findings within the horizon and the services lacking data', async () => {
    expect(await (await forecaster()).summaryLines()).toEqual([
      expect.stringMatching(/^- cart request rate reaches 1200 rps/),
      expect.stringMatching(/^- cart CPU reaches 90 % in ~22 days/),
      '1 service(s) with too little history to forecast: ad.',
    ]);
  });
});
