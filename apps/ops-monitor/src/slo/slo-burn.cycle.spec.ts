import { Logger } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { resolveSloSettings, type SloLedger, validateSloLedger } from '@opscrew/incident';
import { type MetricsSnapshot, type MetricsSource } from '@opscrew/integrations';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { MonitorCycle } from '../cycle/monitor-cycle.service';
import { DetectionEngine } from '../detection/detection.engine';
import { DriftDetector } from '../detection/drift';
import { type IncidentManager } from '../incidents/incident-manager.service';
import { type Sighting } from '../incidents/sighting';
import { type LockedServicesReader } from '../locks/locked-services.reader';
import { QualityTracker } from '../quality/quality.tracker';
import { OpsMonitorMetrics } from '../telemetry/ops-monitor.metrics';
import { SloAccountant } from './slo-accountant.service';

const config = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;

function snapshot(atMs: number, errors: number): MetricsSnapshot {
  const at = new Date(atMs).toISOString();
  return {
    at,
    samples: [
      {
        service: 'checkout',
        at,
        window_s: 15,
        request_rate_rps: 30,
        error_rate_ratio: errors,
        latency_p99_ms: 90,
      },
    ],
    missing: [],
  };
}

describe('MonitorCycle with SLOs: a burning budget is a symptom like any other', () => {
  beforeAll(() => {
    Logger.overrideLogger(['error']);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('hands slo_burn_fast to the incident manager, which folds it into the service’s incident', async () => {
    const kv = new TypedKv<SloLedger>(new FakeKv('slo').asKv(), 'slo', {
      validate: validateSloLedger,
    });
    const accountant = new SloAccountant(kv, resolveSloSettings(config.thresholds.slo));
    // The hour before this cycle: 55 healthy minutes, then 5 at 50 % errors.
    const now = Date.now();
    for (let at = now - 60 * 60_000; at < now - 1000; at += 15_000)
      await accountant.observe(
        snapshot(at, at < now - 5 * 60_000 ? 0 : 0.5),
        new Set(),
        new Date(at),
      );
    const handled: Sighting[] = [];
    const incidents = {
      handle: (sighting: Sighting) => {
        handled.push(sighting);
        return Promise.resolve({ outcome: 'opened', record: { severity: sighting.severity } });
      },
      finishPending: () => Promise.resolve(0),
      openIncidents: () => Promise.resolve(new Map()),
    } as unknown as IncidentManager;
    const source: MetricsSource = {
      kind: 'fake',
      collect: () => Promise.resolve(snapshot(Date.now(), 0.5)),
    };
    const targets = config.agents.get('ops-monitor')?.monitor?.quality_targets;
    if (targets === undefined) throw new Error('the shipped ops-monitor has no quality_targets');
    const monitor = new MonitorCycle(
      ['checkout'],
      source,
      new DetectionEngine(
        config.thresholds.alerting,
        config.thresholds.detection,
        () => new DriftDetector(config.thresholds.detection.drift),
      ),
      incidents,
      {
        view: () => Promise.resolve({ deliberate: new Map(), restarting: new Set<string>() }),
      } as unknown as LockedServicesReader,
      new QualityTracker(targets),
      new OpsMonitorMetrics(),
      { dataQuality: () => Promise.resolve(), beat: () => undefined },
      undefined,
      accountant,
    );
    const summary = await monitor.run();
    const burn = handled.filter((s) => s.symptom === 'slo_burn_fast');
    expect(burn).toEqual([
      expect.objectContaining({
        service: 'checkout',
        rule: 'slo',
        severity: 'high',
        informational: false,
      }),
    ]);
    expect(summary.outcomes.opened).toBe(handled.length);
  });
});
