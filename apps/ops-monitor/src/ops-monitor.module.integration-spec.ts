import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AgentMetrics } from '@opscrew/agent-core';
import { loadConfig, type RuntimeEnvironment } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { DetectionTriage } from './announce/detection-triage';
import { OutboxIncidentAnnouncer } from './announce/outbox-incident.announcer';
import { MonitorCycle } from './cycle/monitor-cycle.service';
import { IncidentManager } from './incidents/incident-manager.service';
import { AlertmanagerIntake } from './intake/alertmanager/alertmanager-intake.service';
import { ReportIntake } from './intake/report-intake.service';
import { LockedServicesReader } from './locks/locked-services.reader';
import { OpsMonitorModule } from './ops-monitor.module';
import { INCIDENT_ANNOUNCER, TRIAGE_SEARCHES } from './ops-monitor.tokens';
import { QualityTracker } from './quality/quality.tracker';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/**
 * The module's wiring as the app builds it (shipped config, real NATS JetStream in a test
 * namespace): every class resolves through Nest, and the ones that must be one instance are.
 */
describe('ops-monitor module against NATS JetStream', () => {
  const namespace = testNamespace();
  let fixture: ConfigFixture;
  let app: INestApplication;
  let bus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    fixture = ConfigFixture.shippedWithOverlay({ bus: { namespace } });
    const env = { ...process.env, NATS_URL, OPSCREW_SHOP_TOKEN: 'it-token' };
    const loaded = loadConfig({ configDir: fixture.dir, env });
    const runtime: RuntimeEnvironment = { configDir: fixture.dir, logLevel: 'error', env };
    ({ bus } = await openTestBus(NATS_URL, namespace, 'crew-under-test'));
    app = await NestFactory.create(OpsMonitorModule.forRoot(loaded, runtime), { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await removeTestTopology(bus);
    await bus.close();
    fixture?.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('resolves every use case, sharing one index, one lock view and one quality tracker', async () => {
    const incidents = app.get(IncidentManager);
    const cycle = app.get(MonitorCycle);
    const intake = app.get(ReportIntake);
    expect(app.get(AlertmanagerIntake)).toBeInstanceOf(AlertmanagerIntake);
    expect(app.get(INCIDENT_ANNOUNCER)).toBe(app.get(OutboxIncidentAnnouncer));
    // One instance each: private fields are compared through the instances Nest built.
    const fields = (target: object): Record<string, unknown> =>
      target as unknown as Record<string, unknown>;
    expect(fields(cycle)['incidents']).toBe(incidents);
    expect(fields(intake)['incidents']).toBe(incidents);
    expect(fields(cycle)['locks']).toBe(app.get(LockedServicesReader));
    expect(fields(intake)['locked']).toBe(app.get(LockedServicesReader));
    expect(fields(cycle)['quality']).toBe(app.get(QualityTracker));
    // The optional parameters are wired, not left to their defaults (an unlimited budget).
    const triage = app.get(DetectionTriage);
    expect(fields(app.get(OutboxIncidentAnnouncer))['triage']).toBe(triage);
    expect(fields(triage)['searches']).toBe(app.get(TRIAGE_SEARCHES));
    expect(fields(triage)['now']).toBe(Date.now);
    // /metrics renders with the collector registered on it (it runs before every scrape).
    expect(await app.get(AgentMetrics).render()).toContain('opscrew_monitor_cycles_total');
    await expect(incidents.openIncidents()).resolves.toEqual(new Map());
  });
});
