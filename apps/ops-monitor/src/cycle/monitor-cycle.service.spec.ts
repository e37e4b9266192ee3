import { Logger } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type HttpFetch, type MetricsSnapshot, ScrapeMetricsSource } from '@opscrew/integrations';
import { type CapacityHistoryRecorder } from '../capacity/capacity-history.recorder';
import { type Anomaly, type DataQualityWarning } from '../detection/anomaly';
import { DetectionEngine } from '../detection/detection.engine';
import { DriftDetector } from '../detection/drift';
import { type IncidentManager } from '../incidents/incident-manager.service';
import { type LockedServicesReader } from '../locks/locked-services.reader';
import { QualityTracker } from '../quality/quality.tracker';
import { OpsMonitorMetrics } from '../telemetry/ops-monitor.metrics';
import { MonitorCycle } from './monitor-cycle.service';
import { type SilenceRecord } from '@opscrew/contracts';
import { type SilenceStore } from '@opscrew/messaging';

const config = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const CYCLE_MS = 15_000;

/**
 * Two exporters at 20 % errors: shipping labels the status `status` (a plain exporter), cart
 * labels nothing (its failures are invisible to any source). 100 requests per cycle each.
 */
function exposition(service: 'shipping' | 'cart', cycle: number): string {
  const ok = 80 * cycle;
  const failed = 20 * cycle;
  const requests =
    service === 'shipping'
      ? [
          `http_requests_total{route="/quote",status="200"} ${ok}`,
          `http_requests_total{route="/quote",status="500"} ${failed}`,
        ]
      : [`http_requests_total{route="/cart"} ${ok + failed}`];
  return [
    '# TYPE http_requests_total counter',
    ...requests,
    '# TYPE http_request_duration_seconds histogram',
    `http_request_duration_seconds_bucket{le="0.05"} ${ok + failed}`,
    `http_request_duration_seconds_bucket{le="+Inf"} ${ok + failed}`,
  ].join('\n');
}

describe('MonitorCycle: missing is not healthy', () => {
  // The cycle logs the warning it reports; the test reads the report instead.
  beforeAll(() => {
    Logger.overrideLogger(['error']);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  let now: number;
  let cycle: number;
  let handled: Anomaly[];
  let reported: DataQualityWarning[];
  let quality: QualityTracker;
  let metrics: OpsMonitorMetrics;
  let monitor: MonitorCycle;
  let recorded: MetricsSnapshot[];
  let silenced: SilenceRecord[];

  beforeEach(() => {
    recorded = [];
    now = T0;
    cycle = 0;
    handled = [];
    reported = [];
    silenced = [];
    const http: HttpFetch = (url) =>
      Promise.resolve(
        new Response(exposition(url.includes('7108') ? 'shipping' : 'cart', cycle), {
          status: 200,
        }),
      );
    const source = new ScrapeMetricsSource({
      config: {
        timeout_ms: 1000,
        targets: {
          cart: 'http://127.0.0.1:7102/metrics',
          shipping: 'http://127.0.0.1:7108/metrics',
        },
      },
      requestStatus: config.integrations.metrics.request_status,
      http,
      now: () => now,
    });
    const incidents = {
      handle: (anomaly: Anomaly) => {
        handled.push(anomaly);
        return Promise.resolve({ outcome: 'opened', record: { severity: anomaly.severity } });
      },
      finishPending: () => Promise.resolve(0),
      openIncidents: () => Promise.resolve(new Map()),
    } as unknown as IncidentManager;
    const locks = {
      view: () => Promise.resolve({ deliberate: new Map(), restarting: new Set<string>() }),
    } as unknown as LockedServicesReader;
    const targets = config.agents.get('ops-monitor')?.monitor?.quality_targets;
    if (targets === undefined) throw new Error('the shipped ops-monitor has no quality_targets');
    quality = new QualityTracker(targets);
    metrics = new OpsMonitorMetrics();
    monitor = new MonitorCycle(
      ['cart', 'shipping'],
      source,
      new DetectionEngine(
        config.thresholds.alerting,
        config.thresholds.detection,
        () => new DriftDetector(config.thresholds.detection.drift),
      ),
      incidents,
      locks,
      quality,
      metrics,
      {
        dataQuality: (warning) => {
          reported.push(warning);
          return Promise.resolve();
        },
        beat: () => undefined,
      },
      {
        record: (snapshot: MetricsSnapshot) => void recorded.push(snapshot),
      } as unknown as CapacityHistoryRecorder,
      undefined,
      { active: () => Promise.resolve(silenced) } as unknown as SilenceStore,
    );
  });

  async function runCycles(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await monitor.run();
      cycle++;
      now += CYCLE_MS;
    }
  }

  it('feeds every collected snapshot to the capacity history', async () => {
    await runCycles(3);
    expect(recorded).toHaveLength(3);
    expect(
      recorded
        .at(-1)
        ?.samples.map((sample) => sample.service)
        .sort(),
    ).toEqual(['cart', 'shipping']);
  });

  it('errors nobody can measure: one data-quality warning naming service, metric and why, listed in /quality, never an incident', async () => {
    await runCycles(12);

    // shipping's 20 % (label `status`) is seen; cart's, behind no label, is never a 0 % that opens nothing silently…
    expect(handled.some((a) => a.service === 'shipping' && a.symptom === 'high_error_rate')).toBe(
      true,
    );
    expect(handled.filter((a) => a.service === 'cart')).toEqual([]);

    // …it is reported once (then at most hourly), with the reason.
    const reason =
      'no http_requests_total series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured';
    expect(reported).toEqual([
      {
        kind: 'missing',
        service: 'cart',
        metric: 'error_rate_ratio',
        reason,
        message: expect.stringMatching(
          /^cart error_rate_ratio: no http_requests_total series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured\. Missing data, never read as 0/,
        ),
      },
    ]);

    // /quality: cart is listed as missing data since the first measured cycle; completeness says so.
    const report = quality.report();
    expect(report.missing_data).toEqual([
      {
        service: 'cart',
        metric: 'error_rate_ratio',
        reason,
        // The first cycle with a window (the cycle's own clock: wall time).
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    ]);
    expect(report.unchecked_services).toEqual([]);
    expect(report.completeness_ratio).toBe(0.5);
    expect(report.meets_targets.completeness).toBe(false);

    // /metrics counts it every cycle, by kind.
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /^opscrew_monitor_data_quality_warnings_total\{metric="error_rate_ratio",kind="missing"\} 11$/m,
    );
  });

  it('a silenced service: its anomalies are recorded as informational (no ticket, no restart) and counted', async () => {
    silenced = [
      {
        service: 'shipping',
        since: new Date(T0).toISOString(),
        until: new Date(T0 + 3_600_000).toISOString(),
        reason: 'carrier API migration',
        by: { via: 'discord', id: '42', name: 'alice' },
      },
    ];
    await runCycles(12);
    const shipping = handled.filter((a) => a.service === 'shipping');
    expect(shipping.length).toBeGreaterThan(0);
    for (const anomaly of shipping) {
      expect(anomaly.informational).toBe(true);
      expect(anomaly.severity).toBe('info');
      expect(anomaly.detail).toMatch(
        /service silenced until .* by alice \(discord\) for "carrier API migration": recorded, no ticket, no restart$/,
      );
    }
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /^opscrew_monitor_silenced_anomalies_total\{symptom="high_error_rate"\} [1-9]/m,
    );
  });

  it('a silence that cannot be read silences nothing (a hidden fault is worse than a ticket)', async () => {
    const broken = { active: () => Promise.reject(new Error('bucket gone')) };
    Object.assign(monitor, { silences: broken });
    await runCycles(12);
    expect(handled.some((a) => a.service === 'shipping' && !a.informational)).toBe(true);
  });
});
