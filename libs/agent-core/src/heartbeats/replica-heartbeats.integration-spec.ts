import { SchedulerRegistry } from '@nestjs/schedule';
import { type LoadedConfig } from '@opscrew/config';
import { HeartbeatRecord, KV_BUCKETS } from '@opscrew/contracts';
import { EventPublisher, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { eventually, jestTimeout } from '@opscrew/testing';
import { AgentIdentity } from '../agent-identity';
import { HeartbeatService } from '../heartbeat.service';
import { HeartbeatBoard } from './heartbeat-board';
import { groupHeartbeats, judgeAgent } from './replica-liveness';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

/**
 * Two replicas of one agent on one bus (real NATS JetStream, a test namespace): each writes its
 * own key, the watched board sees both, and the agent stays alive while one of them beats.
 */
describe('heartbeats of several replicas against NATS JetStream', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let board: HeartbeatBoard | undefined;

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'replica-heartbeats-test'));
  });

  afterAll(async () => {
    board?.close();
    await removeTestTopology(bus);
    await bus.close();
  });

  it('sees each replica; one stops beating: the agent is alive, that replica stale', async () => {
    const factory = new KvFactory(bus);
    const store = await factory.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecord });
    const loaded = {
      config: { agents: new Map([['ops-monitor', { heartbeat_interval_s: 1, max_age_s: 3 }]]) },
    } as unknown as LoadedConfig;
    const replica = (id: string): HeartbeatService =>
      new HeartbeatService(
        new AgentIdentity('ops-monitor', '0.1.0', id),
        new EventPublisher(bus, 'ops-monitor'),
        store,
        loaded,
        new SchedulerRegistry(),
      );
    const [a, b] = [replica('ops-monitor-a'), replica('ops-monitor-b')];
    await a.beat();
    await b.beat();
    expect(a.lastHeartbeatAt).not.toBeNull();
    expect(b.lastHeartbeatAt).not.toBeNull();

    board = await HeartbeatBoard.open(factory, store, { warn: () => undefined });
    const beats = async () =>
      groupHeartbeats(await (board as HeartbeatBoard).read()).get('ops-monitor') ?? [];
    const first = await beats();
    expect(first.map((beat) => [beat.key, beat.record.replica]).sort()).toEqual([
      ['ops-monitor.ops-monitor-a', 'ops-monitor-a'],
      ['ops-monitor.ops-monitor-b', 'ops-monitor-b'],
    ]);
    const bAt = first.find((beat) => beat.replica === 'ops-monitor-b')?.atMs ?? 0;

    // b stops; a beats on (a later `at`), and the board hears it through its watch, not a re-read.
    await b.onApplicationShutdown();
    await eventually(() => Date.now() > bAt + 20);
    await a.beat();
    await eventually(async () =>
      (await beats()).some((beat) => beat.replica === 'ops-monitor-a' && beat.atMs > bAt),
    );
    expect(board.resyncs).toBe(1);

    // Judged when b's silence is past the allowance and a's last beat is not: no wall-clock race.
    const latest = await beats();
    const aAt = latest.find((beat) => beat.replica === 'ops-monitor-a')?.atMs ?? 0;
    const thresholdMs = (aAt - bAt) / 2;
    const verdict = judgeAgent('ops-monitor', latest, thresholdMs, aAt + thresholdMs / 2);
    expect(verdict.state).toBe('alive');
    expect(verdict.replicas.map((r) => [r.beat.replica, r.stale])).toEqual([
      ['ops-monitor-a', false],
      ['ops-monitor-b', true],
    ]);
  });
});
