import { SchedulerRegistry } from '@nestjs/schedule';
import { groupHeartbeats, HeartbeatBoard, judgeAgent } from '@opscrew/agent-core';
import { type LoadedConfig } from '@opscrew/config';
import { HeartbeatRecord } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { prunableReplicas, pruneAfterMs } from './heartbeat-prune.policy';
import { HeartbeatPruner } from './heartbeat-pruner.service';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const MAX_AGE_S = 60;
const minutesAgo = (minutes: number): string =>
  new Date(NOW.getTime() - minutes * 60_000).toISOString();

function setup() {
  const fake = new FakeKv('heartbeats');
  const store = new TypedKv(fake.asKv(), 'heartbeats', { class: HeartbeatRecord });
  const board = new HeartbeatBoard(
    fake.asKv(),
    store,
    async () => {
      const keys: string[] = [];
      for await (const key of await fake.keys()) keys.push(key);
      return keys;
    },
    { warn: () => undefined },
  );
  const loaded = {
    config: { agents: new Map([['ops-monitor', { enabled: true, max_age_s: MAX_AGE_S }]]) },
  } as unknown as LoadedConfig;
  const pruner = new HeartbeatPruner(
    board,
    store,
    loaded,
    { lastOutage: () => null },
    new SchedulerRegistry(),
  );
  const beat = (replica: string, at: string): Promise<number> =>
    store.put(`ops-monitor.${replica}`, {
      agent: 'ops-monitor',
      replica,
      version: '0.1.0',
      pid: 7,
      at,
      started_at: at,
      uptime_s: 0,
      status: 'ok',
    });
  return { fake, store, board, pruner, beat };
}

describe('heartbeat pruning', () => {
  it('waits ten allowances, at least 10 minutes', () => {
    expect(pruneAfterMs(15)).toBe(10 * 60_000);
    expect(pruneAfterMs(120)).toBe(20 * 60_000);
  });

  it('policy: long-silent keys go while a replica is fresh; otherwise all but the newest', () => {
    const now = NOW.getTime();
    const entry = (replica: string, at: string) => ({
      key: `ops-monitor.${replica}`,
      revision: 1,
      value: {
        agent: 'ops-monitor' as const,
        replica,
        version: '0.1.0',
        pid: 1,
        at,
        started_at: at,
        uptime_s: 0,
        status: 'ok' as const,
      },
    });
    const judge = (...entries: ReturnType<typeof entry>[]) =>
      judgeAgent('ops-monitor', groupHeartbeats(entries).get('ops-monitor') ?? [], 60_000, now)
        .replicas;
    const after = pruneAfterMs(MAX_AGE_S);
    const names = (list: ReturnType<typeof judge>) => list.map((r) => r.beat.replica);
    // A fresh replica: the long-silent go, the recently stale stay.
    expect(
      names(
        prunableReplicas(
          judge(
            entry('live', minutesAgo(0)),
            entry('gone', minutesAgo(30)),
            entry('recent', minutesAgo(5)),
          ),
          after,
        ),
      ),
    ).toEqual(['gone']);
    // None fresh: the newest key stays, however old.
    expect(
      names(prunableReplicas(judge(entry('a', minutesAgo(60)), entry('b', minutesAgo(90))), after)),
    ).toEqual(['b']);
    expect(names(prunableReplicas(judge(entry('a', minutesAgo(600))), after))).toEqual([]);
  });

  it('deletes by CAS: a key that beat again since the read stays', async () => {
    const { fake, store, board, pruner, beat } = setup();
    await beat('live', minutesAgo(0));
    await beat('gone', minutesAgo(30));
    await beat('back', minutesAgo(30));
    await board.read();
    // `back` beats again after the board read it: its revision moved on, the CAS fails.
    const revision = fake.revisionOf('ops-monitor.back') ?? 0;
    fake.beforeWrite = async (key) => {
      fake.beforeWrite = null;
      if (key === 'ops-monitor.back') await beat('back', minutesAgo(0));
    };
    const pruned = await pruner.prune(NOW);
    expect(pruned).toEqual(['ops-monitor.gone']);
    expect(await store.get('ops-monitor.gone')).toBeNull();
    expect((await store.get('ops-monitor.back'))?.revision).toBeGreaterThan(revision);
    expect((await board.read()).map((e) => e.key).sort()).toEqual([
      'ops-monitor.back',
      'ops-monitor.live',
    ]);
    board.close();
  });
});
