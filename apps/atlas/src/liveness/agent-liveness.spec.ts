import { groupHeartbeats, type ReplicaBeat } from '@opscrew/agent-core';
import { assessLiveness } from './agent-liveness';

/** ops-monitor's replicas, each `[replica, at]` (one replica `ops-monitor-0` for a bare `at`). */
const beat = (...replicas: (string | [string, string])[]): ReplicaBeat[] =>
  groupHeartbeats(
    replicas.map((item, index) => {
      const [replica, at] = typeof item === 'string' ? ['ops-monitor-0', item] : item;
      return {
        key: `ops-monitor.${replica}`,
        revision: index + 1,
        value: {
          agent: 'ops-monitor',
          replica,
          version: '0.1.0',
          pid: 42 + index,
          at,
          started_at: '2026-11-24T09:00:00.000Z',
          uptime_s: 60,
          status: 'ok',
        },
      };
    }),
  ).get('ops-monitor') ?? [];
const now = new Date('2026-11-24T10:00:00.000Z');

describe('assessLiveness', () => {
  it('is alive within max_age_s', () => {
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T09:58:30.000Z'), now),
    ).toMatchObject({
      state: 'alive',
      heartbeat_age_s: 90,
      pid: 42,
    });
  });

  it('is stale beyond max_age_s', () => {
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T09:57:59.000Z'), now),
    ).toMatchObject({
      state: 'stale',
      heartbeat_age_s: 121,
    });
  });

  it('is never_seen without a heartbeat', () => {
    expect(assessLiveness('ops-monitor', true, 120, [], now)).toMatchObject({
      state: 'never_seen',
      heartbeat_age_s: null,
      last_heartbeat_at: null,
    });
  });

  it('treats a heartbeat from the future (clock skew) as fresh, not negative', () => {
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T10:00:05.000Z'), now),
    ).toMatchObject({
      state: 'alive',
      heartbeat_age_s: 0,
    });
  });

  it('after a bus outage of its own, atlas counts the age of a fresh agent from reconnect', () => {
    const outage = {
      downMs: Date.parse('2026-11-24T09:59:00.000Z'),
      backMs: Date.parse('2026-11-24T09:59:13.000Z'),
    };
    // 121 s since the beat (stale by age alone), 47 s since the link came back: alive.
    expect(
      assessLiveness('ops-monitor', true, 120, beat('2026-11-24T09:57:59.000Z'), now, outage),
    ).toMatchObject({ state: 'alive', heartbeat_age_s: 121 });
  });

  it('is alive while any replica is fresh; the agent fields are the newest replica', () => {
    const verdict = assessLiveness(
      'ops-monitor',
      true,
      120,
      beat(['a', '2026-11-24T09:50:00.000Z'], ['b', '2026-11-24T09:59:50.000Z']),
      now,
    );
    expect(verdict).toMatchObject({
      state: 'alive',
      last_heartbeat_at: '2026-11-24T09:59:50.000Z',
      heartbeat_age_s: 10,
      pid: 43,
    });
    expect(verdict.replicas.map((r) => [r.replica, r.stale, r.heartbeat_age_s])).toEqual([
      ['b', false, 10],
      ['a', true, 600],
    ]);
    expect(verdict.replicas[0]).toMatchObject({ uptime_s: 60, version: '0.1.0', pid: 43 });
  });

  it('is stale when every replica is, named by the newest heartbeat', () => {
    expect(
      assessLiveness(
        'ops-monitor',
        true,
        120,
        beat(['a', '2026-11-24T09:50:00.000Z'], ['b', '2026-11-24T09:55:00.000Z']),
        now,
      ),
    ).toMatchObject({ state: 'stale', last_heartbeat_at: '2026-11-24T09:55:00.000Z' });
  });
});
