import { readFileSync } from 'node:fs';
import { type Server } from 'node:http';
import { join } from 'node:path';
import { type INestApplication, Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startBusHandlers } from '@opscrew/agent-core';
import { loadConfig, type RuntimeEnvironment } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { ACCURACY_FEEDBACK_KEY, AccuracyFeedbackRecord, KV_BUCKETS } from '@opscrew/contracts';
import { EventPublisher, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import request from 'supertest';
import { jestTimeout } from '@opscrew/testing';
import { DemoControllerModule } from './demo-controller.module';
import { type ScorecardView } from './learning/learning.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/**
 * demo-controller as the app runs it (its module, real NATS JetStream in a
 * test namespace): a flag scenario over REST, the crew's events published by
 * "ops-monitor" and "jira-resolver" on the bus, the run scored from them, and
 * the accuracy feedback where ops-monitor's /quality reads it.
 */
/** The REST bearer token (http.api_token) this test's agent loads. */
const API_TOKEN = 'integration-test-api-token';

describe('demo-controller module against NATS JetStream', () => {
  const namespace = testNamespace();
  let fixture: ConfigFixture;
  let app: INestApplication;
  let server: Server;
  let bus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    // The test's namespace, and a run's window closing 2 s after it ends.
    fixture = ConfigFixture.shippedWithOverlay({
      bus: { namespace },
      http: { api_token: '${OPSCREW_API_TOKEN}' },
      agents: { 'demo-controller': { controller: { learning: { settle_s: 2 } } } },
    });
    const env = {
      ...process.env,
      NATS_URL,
      OPSCREW_SHOP_TOKEN: 'it-token',
      OPSCREW_API_TOKEN: API_TOKEN,
    };
    const loaded = loadConfig({ configDir: fixture.dir, env });
    const runtime: RuntimeEnvironment = { configDir: fixture.dir, logLevel: 'error', env };
    ({ bus } = await openTestBus(NATS_URL, namespace, 'crew-under-test'));
    app = await NestFactory.create(DemoControllerModule.forRoot(loaded, runtime), {
      logger: false,
    });
    app.useGlobalPipes(
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
    app.enableShutdownHooks();
    await app.init();
    // The scoring consumers run on the JetStream transport, as runAgent starts them.
    await startBusHandlers(app);
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer() as Server;
  });

  afterAll(async () => {
    await app?.close();
    await removeTestTopology(bus);
    await bus.close();
    fixture?.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('runs a flag scenario over REST and scores the crew from the bus', async () => {
    const listed = await request(server).get('/scenarios').expect(200);
    expect((listed.body as { scenarios: unknown[] }).scenarios).toHaveLength(12); // nine + three restart-curable faults

    // 300 s × 0.01 = 3 s with the flag on (and background traffic, refused: the shop is not running).
    const started = await request(server)
      .post('/scenarios/flagd_cart_failure/run')
      .set('authorization', `Bearer ${API_TOKEN}`)
      .send({ duration_scale: 0.01 })
      .expect(202);
    const runId = (started.body as { run_id: string }).run_id;
    const flagFile = join(fixture.projectDir, 'var/flagd/demo.flagd.json');
    const variant = (): string =>
      (
        JSON.parse(readFileSync(flagFile, 'utf8')) as {
          flags: { cartFailure: { defaultVariant: string } };
        }
      ).flags.cartFailure.defaultVariant;
    expect(variant()).toBe('100%');

    // What the crew does meanwhile, published as the other agents would.
    const monitor = new EventPublisher(bus, 'ops-monitor');
    const resolver = new EventPublisher(bus, 'jira-resolver');
    await monitor.publish('incident.detected', {
      incident_id: 'INC-20250131-101',
      fingerprint: 'cart:high_error_rate',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'critical',
      value: 1,
      detected_at: new Date().toISOString(),
    });
    await monitor.publish('incident.detected', {
      incident_id: 'INC-20250131-102',
      fingerprint: 'shipping:high_latency',
      service: 'shipping',
      symptom: 'high_latency',
      severity: 'high',
      value: 6000,
      detected_at: new Date().toISOString(),
    });
    await resolver.publish('remediation.started', {
      incident_id: 'INC-20250131-101',
      run_id: 'rem-1',
      service: 'cart',
      runbook: 'high-error-rate',
      mode: 'act',
    });
    await resolver.publish('remediation.finished', {
      incident_id: 'INC-20250131-101',
      run_id: 'rem-1',
      service: 'cart',
      runbook: 'high-error-rate',
      mode: 'act',
      outcome: 'escalated',
      steps: [{ action: 'restart_service', result: 'ok' }],
    });
    await resolver.publish('incident.escalated', {
      incident_id: 'INC-20250131-101',
      level: 'L1',
      reason: 'the restart did not cure it',
    });

    // The run ends after 3 s, its window 2 s later; then it is scored.
    await eventually(
      async () =>
        ((await request(server).get('/scorecard')).body as ScorecardView).aggregate.runs === 1,
      20_000,
      250,
    );
    const card = (await request(server).get('/scorecard').expect(200)).body as ScorecardView;
    expect(card.recent[0]).toMatchObject({
      run_id: runId,
      scenario: 'flagd_cart_failure',
      outcome: 'completed',
      true_positives: 1,
      false_positives: 1,
      missed: 0,
      escalated: 1,
      // A flag failure survives restarts, but the one restart tried before the page is the
      // runbook's design (then it escalates): not counted as a restart nobody should have done.
      unexpected_restarts: 0,
      restarts_during_lock: 0,
      false_positive_pairs: [{ service: 'shipping', symptom: 'high_latency', count: 1 }],
    });
    expect(card.aggregate).toMatchObject({
      runs: 1,
      true_positives: 1,
      false_positives: 1,
      accuracy_ratio: 0.5,
    });
    expect(variant()).toBe('off');

    // Its audit trail (AgentAuditModule), through its sandbox: what the run did, in order.
    const trail = readFileSync(join(fixture.projectDir, 'var/audit/demo-controller.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { agent: string; action: string; verdict: string });
    expect(trail.map((record) => record.action)).toEqual([
      'scenario.start',
      'load.start',
      'flag.set',
      'flag.restore',
      'load.stop',
      'scenario.end',
    ]);
    expect(trail.every((r) => r.agent === 'demo-controller' && r.verdict === 'allowed')).toBe(true);

    // Where ops-monitor reads its accuracy.
    const learning = await new KvFactory(bus).open(KV_BUCKETS.learning, {
      class: AccuracyFeedbackRecord,
    });
    expect((await learning.get(ACCURACY_FEEDBACK_KEY))?.value).toMatchObject({
      true_positives: 1,
      false_positives: 1,
      missed: 0,
      runs: 1,
    });
  });
});
