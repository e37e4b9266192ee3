import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AGENT_NOTICES, type AgentNotices } from '@opscrew/agent-core';
import { loadConfig, type RuntimeEnvironment } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { AgentRestartsRecord, HeartbeatRecord, KV_BUCKETS } from '@opscrew/contracts';
import { KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { AtlasModule } from '../atlas.module';
import { LivenessService } from './liveness.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

/**
 * atlas as the app wires it (real NATS JetStream in a test namespace): a stale agent's notice
 * lands in the shared outbox through atlas's enqueue-only outbox, once per stale episode.
 */
describe('atlas liveness against NATS JetStream', () => {
  const namespace = testNamespace();
  let fixture: ConfigFixture;
  let app: INestApplication;
  let bus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    fixture = ConfigFixture.shippedWithOverlay({ bus: { namespace } });
    const env = { ...process.env, NATS_URL };
    const loaded = loadConfig({ configDir: fixture.dir, env });
    const runtime: RuntimeEnvironment = { configDir: fixture.dir, logLevel: 'error', env };
    ({ bus } = await openTestBus(NATS_URL, namespace, 'liveness-test'));
    app = await NestFactory.create(AtlasModule.forRoot(loaded, runtime), { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await removeTestTopology(bus);
    await bus.close();
    fixture?.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('enqueues one notification for a stale agent', async () => {
    const heartbeats = await new KvFactory(bus).open(KV_BUCKETS.heartbeats, {
      class: HeartbeatRecord,
    });
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await heartbeats.put('ops-monitor', {
      agent: 'ops-monitor',
      version: '0.1.0',
      pid: 42,
      at,
      started_at: at,
      uptime_s: 60,
      status: 'ok',
    });
    const liveness = app.get(LivenessService);
    await liveness.check();
    expect(
      (await liveness.snapshot()).find((entry) => entry.agent === 'ops-monitor'),
    ).toMatchObject({ state: 'stale' });
    // The item is in the bucket: enqueuing its key again adds nothing.
    const notices = app.get<AgentNotices>(AGENT_NOTICES, { strict: false });
    const again = await notices.enqueue({
      kind: 'notify',
      notification: {
        idempotency_key: `agent-stale:ops-monitor:${at}`,
        kind: 'escalation',
        severity: 'high',
        title: 'ops-monitor is stale',
        text: 'again',
        fields: [],
      },
    });
    expect(again.created).toBe(false);
    // The shipped runtime is the supervisor; this atlas runs without one, so nothing restarted,
    // but the episode is recorded in the lifecycle bucket: a restarted atlas will not retry it.
    const lifecycle = await new KvFactory(bus).open(KV_BUCKETS.lifecycle, {
      class: AgentRestartsRecord,
    });
    expect((await lifecycle.get('ops-monitor'))?.value).toEqual({
      agent: 'ops-monitor',
      restarts: [expect.any(String)],
      last_episode: at,
      gave_up_at: null,
    });
  });
});
