import { type Server } from 'node:http';
import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startBusHandlers } from '@opscrew/agent-core';
import { loadConfig, type RuntimeEnvironment } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { KV_BUCKETS } from '@opscrew/contracts';
import { EventPublisher, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import request from 'supertest';
import { AtlasModule } from '../atlas.module';
import { RecentReports } from '../status/recent-reports.ring';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const API_TOKEN = 'atlas-reports-integration-token';

jest.setTimeout(jestTimeout(60_000));

/**
 * atlas as the app runs it (its module, real JetStream in a test namespace): its report routes,
 * and another agent's report landing in the shared outbox — once, whatever the redeliveries.
 */
describe('atlas module: reports (real JetStream)', () => {
  const namespace = testNamespace();
  let fixture: ConfigFixture;
  let app: INestApplication;
  let server: Server;
  let bus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    fixture = ConfigFixture.shippedWithOverlay({
      bus: { namespace },
      http: { api_token: '${OPSCREW_API_TOKEN}' },
    });
    const env = { ...process.env, NATS_URL, OPSCREW_API_TOKEN: API_TOKEN };
    const loaded = loadConfig({ configDir: fixture.dir, env });
    const runtime: RuntimeEnvironment = { configDir: fixture.dir, logLevel: 'error', env };
    ({ bus } = await openTestBus(NATS_URL, namespace, 'crew-under-test'));
    app = await NestFactory.create(AtlasModule.forRoot(loaded, runtime), { logger: false });
    app.enableShutdownHooks();
    await app.init();
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

  it('lists its schedules in the crew zone and sends the dead-letter summary only when there is something', async () => {
    const listed = await request(server).get('/reports').expect(200);
    expect(listed.body).toMatchObject({
      producers: ['deadletter-summary', 'slo-daily'],
      reports: [
        { name: 'slo-daily', timezone: 'Asia/Seoul' },
        { name: 'deadletter-summary', timezone: 'Asia/Seoul', cron: '0 50 * * * *' },
      ],
    });
    const sent = await request(server)
      .post('/reports/deadletter-summary')
      .set('authorization', `Bearer ${API_TOKEN}`)
      .expect(200);
    expect(sent.body).toEqual({ name: 'deadletter-summary', sent: false });
  });

  it("puts another agent's report into the shared outbox once", async () => {
    const monitor = new EventPublisher(bus, 'ops-monitor');
    const report = {
      kind: 'ops-monitor-daily',
      title: 'ops-monitor daily report',
      text: 'Last 24 h: 0 incident(s) opened.',
    };
    await monitor.publish('report.ops-monitor-daily', report, {
      id: 'report.ops-monitor-daily.it',
    });
    const kv = new KvFactory(bus);
    const items = async (): Promise<string[]> =>
      (await kv.listKeys(KV_BUCKETS.outbox)).filter((key) => key.startsWith('item.'));
    await eventually(async () => (await items()).length === 1, 15_000);
    await monitor.publish('report.ops-monitor-daily', report, {
      id: 'report.ops-monitor-daily.it',
    });
    await new Promise((done) => setTimeout(done, 1000));
    expect(await items()).toHaveLength(1);
    // …and the status page's "last reports" shows it (the ring wired into the forwarder).
    expect(
      app
        .get(RecentReports)
        .list()
        .map((r) => r.title),
    ).toContain('ops-monitor daily report');
  });
});
