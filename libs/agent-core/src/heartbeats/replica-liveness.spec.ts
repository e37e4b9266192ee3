import {
  AGENT_NAMES,
  type AgentName,
  type HeartbeatRecord,
  isReplicaId as isKeyReplicaId,
} from '@opscrew/contracts';
import fc from 'fast-check';
import { replicaId } from '../agent-identity';
import { isStale } from '../staleness';
import { groupHeartbeats, type HeartbeatEntry, judgeAgent } from './replica-liveness';

const NOW = Date.parse('2026-12-07T10:00:00.000Z');
const MAX_AGE_MS = 60_000;

function entry(
  agent: AgentName,
  replica: string | null,
  atMs: number,
  revision = 1,
): HeartbeatEntry {
  const value: HeartbeatRecord = {
    agent,
    ...(replica === null ? {} : { replica }),
    version: '0.1.0',
    pid: 42,
    at: new Date(atMs).toISOString(),
    started_at: new Date(atMs - 60_000).toISOString(),
    uptime_s: 60,
    status: 'ok',
  };
  return { key: replica === null ? agent : `${agent}.${replica}`, revision, value };
}

describe('groupHeartbeats', () => {
  it('groups replicas by agent, newest heartbeat first', () => {
    const grouped = groupHeartbeats([
      entry('ops-monitor', 'a', NOW - 5_000),
      entry('atlas', 'x', NOW),
      entry('ops-monitor', 'b', NOW - 1_000),
    ]);
    expect(grouped.get('ops-monitor')?.map((beat) => beat.replica)).toEqual(['b', 'a']);
    expect(grouped.get('atlas')?.map((beat) => beat.key)).toEqual(['atlas.x']);
  });

  it('reads a key from before replicas as the replica named after the agent', () => {
    const [beat] = groupHeartbeats([entry('jira-resolver', null, NOW)]).get('jira-resolver') ?? [];
    expect(beat).toMatchObject({
      agent: 'jira-resolver',
      replica: 'jira-resolver',
      key: 'jira-resolver',
    });
  });

  it("skips keys naming no agent and records that are not the key's agent's", () => {
    const foreign = { ...entry('atlas', 'x', NOW), key: 'ops-monitor.x' };
    const stray = { ...entry('atlas', 'x', NOW), key: 'someone.x' };
    const dotted = { ...entry('atlas', 'x', NOW), key: 'atlas.x.y' };
    expect(groupHeartbeats([foreign, stray, dotted]).size).toBe(0);
  });
});

describe('judgeAgent', () => {
  it('is alive while one replica is fresh, the others stale', () => {
    const beats =
      groupHeartbeats([
        entry('ops-monitor', 'old', NOW - 10 * MAX_AGE_MS),
        entry('ops-monitor', 'new', NOW - 1_000),
      ]).get('ops-monitor') ?? [];
    const verdict = judgeAgent('ops-monitor', beats, MAX_AGE_MS, NOW);
    expect(verdict.state).toBe('alive');
    expect(verdict.replicas.map((r) => [r.beat.replica, r.stale])).toEqual([
      ['new', false],
      ['old', true],
    ]);
    expect(verdict.newest?.beat.replica).toBe('new');
  });

  it('is never_seen without replicas', () => {
    expect(judgeAgent('atlas', [], MAX_AGE_MS, NOW)).toEqual({
      agent: 'atlas',
      state: 'never_seen',
      replicas: [],
      newest: null,
    });
  });

  it('gives a replica the outage grace isStale gives (fresh when the link dropped)', () => {
    const beats = groupHeartbeats([entry('atlas', 'a', NOW - 2 * MAX_AGE_MS)]).get('atlas') ?? [];
    const outage = { downMs: NOW - 2 * MAX_AGE_MS + 1_000, backMs: NOW - 1_000 };
    expect(judgeAgent('atlas', beats, MAX_AGE_MS, NOW, outage).state).toBe('alive');
  });

  it('property: an agent is stale iff it has replicas and every one is stale', () => {
    const replicaSet = fc.uniqueArray(
      fc.record({
        replica: fc.stringMatching(/^[a-z0-9]{1,8}$/),
        ageMs: fc.integer({ min: -5_000, max: 5 * MAX_AGE_MS }),
      }),
      { selector: (r) => r.replica, maxLength: 6 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...AGENT_NAMES), replicaSet, (agent, replicas) => {
        const beats =
          groupHeartbeats(replicas.map((r) => entry(agent, r.replica, NOW - r.ageMs))).get(agent) ??
          [];
        const verdict = judgeAgent(agent, beats, MAX_AGE_MS, NOW);
        const each = replicas.map((r) => isStale(NOW - r.ageMs, MAX_AGE_MS, NOW, null));
        expect(verdict.replicas).toHaveLength(replicas.length);
        if (replicas.length === 0) expect(verdict.state).toBe('never_seen');
        else expect(verdict.state === 'stale').toBe(each.every(Boolean));
        // Each replica's own verdict is the one rule's, and ages are never negative.
        for (const r of verdict.replicas) {
          expect(r.stale).toBe(isStale(r.beat.atMs, MAX_AGE_MS, NOW, null));
          expect(r.ageMs).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('replica ids and heartbeat keys', () => {
  it('agree: every id AgentIdentity takes or folds is one a heartbeat key takes', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 70 }),
        fc.integer({ min: 1, max: 4_194_304 }),
        (s, pid) => {
          // A set OPSCREW_REPLICA_ID is taken exactly when a heartbeat key would take it.
          const taken = (() => {
            try {
              return replicaId({ OPSCREW_REPLICA_ID: s }, 'host', pid) === s;
            } catch {
              return false;
            }
          })();
          expect(taken).toBe(s === '' ? false : isKeyReplicaId(s));
          expect(isKeyReplicaId(replicaId({}, s, pid))).toBe(true);
        },
      ),
    );
  });
});
