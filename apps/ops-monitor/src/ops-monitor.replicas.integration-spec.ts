import { type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HealthController, LeadershipService } from '@opscrew/agent-core';
import { type Response } from 'express';
import { loadConfig, type RuntimeEnvironment } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { type CycleSummary, MonitorCycle } from './cycle/monitor-cycle.service';
import { DetectionEngine } from './detection/detection.engine';
import { DriftRegistry } from './detection/drift';
import { type UsualLevels } from './detection/usual-levels.store';
import { OpsMonitorModule } from './ops-monitor.module';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const TTL_S = 3;

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(90_000));

interface Run {
  readonly replica: string;
  readonly start: number;
  end: number;
}

/**
 * Two ops-monitor replicas (two module instances, OPSCREW_REPLICA_ID apart) on one bus: only the
 * leader runs the detection cycle; when it dies the other takes over, and at no instant do both
 * run one.
 */
describe('ops-monitor replicas against NATS JetStream', () => {
  const namespace = testNamespace();
  let fixture: ConfigFixture;
  let bus: NatsConnectionService;
  const apps: INestApplication[] = [];
  const runs: Run[] = [];

  async function replica(name: string): Promise<INestApplication> {
    const env = {
      ...process.env,
      NATS_URL,
      OPSCREW_SHOP_TOKEN: 'it-token',
      OPSCREW_REPLICA_ID: name,
    };
    const loaded = loadConfig({ configDir: fixture.dir, env });
    const runtime: RuntimeEnvironment = { configDir: fixture.dir, logLevel: 'error', env };
    // AgentIdentity reads the replica id from the process environment when the module is built.
    const saved = process.env['OPSCREW_REPLICA_ID'];
    process.env['OPSCREW_REPLICA_ID'] = name;
    let app: INestApplication;
    try {
      app = await NestFactory.create(OpsMonitorModule.forRoot(loaded, runtime), { logger: false });
    } finally {
      if (saved === undefined) delete process.env['OPSCREW_REPLICA_ID'];
      else process.env['OPSCREW_REPLICA_ID'] = saved;
    }
    // The cycle's body is replaced by a recorder: what is under test is who runs it, not what
    // it detects (no shop is running here).
    jest.spyOn(app.get(MonitorCycle), 'run').mockImplementation(async () => {
      const run: Run = { replica: name, start: Date.now(), end: Number.NaN };
      runs.push(run);
      await new Promise((resolve) => setTimeout(resolve, 50));
      run.end = Date.now();
      return {} as CycleSummary;
    });
    await app.init();
    apps.push(app);
    return app;
  }

  const ranBy = (since = 0): Set<string> =>
    new Set(runs.filter((r) => r.start >= since).map((r) => r.replica));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    fixture = ConfigFixture.shippedWithOverlay({
      bus: { namespace, leader_lease: { ttl_s: TTL_S, safety_margin_s: 0.5 } },
    });
    fixture.patch('agents/ops-monitor.json5', 'cycle_interval_s: 15,', 'cycle_interval_s: 0.5,');
    ({ bus } = await openTestBus(NATS_URL, namespace, 'replicas-under-test'));
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await removeTestTopology(bus);
    await bus.close();
    fixture?.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('runs cycles on the leader only; a killed leader is replaced, a cleanly stopped one at once', async () => {
    const first = await replica('ops-monitor-0');
    const second = await replica('ops-monitor-1');
    const leadership0 = first.get(LeadershipService);
    const leadership1 = second.get(LeadershipService);
    expect([leadership0.role, leadership1.role]).toEqual(['leader', 'standby']);
    expect(leadership1.view().leader).toBe('ops-monitor-0');

    // /health: 200 on both (a standby is ready to serve), with the role and the lease's term.
    const response = { status: jest.fn() } as unknown as Response;
    const health0 = await first.get(HealthController).check(response);
    const health1 = await second.get(HealthController).check(response);
    expect(response.status).not.toHaveBeenCalled();
    expect(health0).toMatchObject({ status: 'ok', replica: 'ops-monitor-0', role: 'leader' });
    expect(health1).toMatchObject({
      status: 'ok',
      replica: 'ops-monitor-1',
      role: 'standby',
      lease: { leader: 'ops-monitor-0', term: 1 },
    });

    // Several cycle periods: only the leader cycles.
    await eventually(() => runs.length >= 4, 10_000);
    expect(ranBy()).toEqual(new Set(['ops-monitor-0']));

    // "Kill" the leader's renewer (a frozen event loop, a partition): its renew ticks stop.
    first.get(SchedulerRegistry).deleteInterval('leader-lease');
    const killedAt = Date.now();
    await eventually(() => leadership1.isLeader(), 4 * TTL_S * 1000);
    const takeoverMs = Date.now() - killedAt;
    expect(leadership0.isLeader()).toBe(false);
    await eventually(() => ranBy(killedAt + takeoverMs).has('ops-monitor-1'), 5_000);
    const afterTakeover = runs.filter((r) => r.start >= killedAt + takeoverMs);
    expect(new Set(afterTakeover.map((r) => r.replica))).toEqual(new Set(['ops-monitor-1']));

    // A clean stop of the new leader: a fresh replica leads on its first tick (no TTL wait).
    const third = await replica('ops-monitor-2');
    const leadership2 = third.get(LeadershipService);
    expect(leadership2.role).toBe('standby');
    await second.close();
    apps.splice(apps.indexOf(second), 1);
    const stoppedAt = Date.now();
    await eventually(() => leadership2.isLeader(), 4 * TTL_S * 1000);
    const handoverMs = Date.now() - stoppedAt;
    await eventually(() => ranBy(stoppedAt).has('ops-monitor-2'), 5_000);
    expect(leadership2.view().term).toBe(3);

    // Never two cycles at once, and the runs come in reigns: 0…0, 1…1, 2…2.
    const ordered = [...runs].sort((x, y) => x.start - y.start);
    for (let i = 1; i < ordered.length; i++) {
      const previous = ordered[i - 1]!;
      const current = ordered[i]!;
      if (previous.replica !== current.replica)
        expect(current.start).toBeGreaterThanOrEqual(previous.end);
    }
    const reigns = ordered
      .map((r) => r.replica)
      .filter((name, i, all) => i === 0 || all[i - 1] !== name);
    expect(reigns).toEqual(['ops-monitor-0', 'ops-monitor-1', 'ops-monitor-2']);
    process.stdout.write(
      `ops-monitor replicas: takeover after a killed leader ${takeoverMs} ms, after a clean stop ` +
        `${handoverMs} ms (ttl ${TTL_S} s, renew every ${leadership1.lease.renewIntervalMs} ms)\n`,
    );
  });

  it("hands the drift detectors' learning, the usual levels and the relative references to the next leader through the learning bucket", async () => {
    // A world of its own: the first test's replicas go.
    for (const app of apps.splice(0)) await app.close();
    const first = await replica('ops-monitor-a');
    await eventually(() => first.get(LeadershipService).isLeader(), 4 * TTL_S * 1000);
    const since = Date.now();
    await eventually(() => ranBy(since).has('ops-monitor-a'), 5_000);
    // What the leader's cycles would have learned about cart's p99 (no shop runs here).
    const learned = first.get(DriftRegistry).create('cart', 'latency_p99_ms');
    for (let i = 0; i < 300; i++) learned.update(200 + (i % 7), i);
    // …and about its usual levels and recent windows (blame, the relative rule's reference).
    const usual: UsualLevels = {
      service: 'cart',
      recent: [{ error_rate_ratio: 0.002, latency_p99_ms: 210 }],
      usual_latency_ms: Array.from({ length: 20 }, (_, i) => 200 + (i % 7)),
      usual_error_ratio: Array.from({ length: 20 }, () => 0.002),
    };
    first.get(DetectionEngine).adoptUsualLevels([usual]);
    const second = await replica('ops-monitor-b');
    expect(second.get(LeadershipService).role).toBe('standby');

    // A clean stop saves while the lease is still held; the standby restores before its first cycle.
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    const handedAt = Date.now();
    await eventually(() => ranBy(handedAt).has('ops-monitor-b'), 4 * TTL_S * 1000);
    const restored = second.get(DriftRegistry).create('cart', 'latency_p99_ms');
    expect(restored.toJSON()).toEqual(learned.toJSON());
    expect(restored.update(203, 0).learning).toBe(false);
    expect(second.get(DetectionEngine).usualLevels()).toEqual([usual]);
  });
});
