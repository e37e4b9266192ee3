import {
  judgeAgent,
  type OutageWindow,
  type ReplicaBeat,
  type ReplicaVerdict,
} from '@opscrew/agent-core';
import { type AgentName } from '@opscrew/contracts';

export type LivenessState = 'alive' | 'stale' | 'never_seen';

/** One replica of an agent: its own last heartbeat and its own verdict. */
export interface ReplicaLiveness {
  /** The replica id (`<host>-<pid>`, a pod name, …); the agent's name for a pre-replica record. */
  replica: string;
  /** Its last heartbeat is older than the agent's `max_age_s` (after atlas's outage grace). */
  stale: boolean;
  /** When it last beat (its clock). */
  at: string;
  /** Seconds since `at`. */
  heartbeat_age_s: number;
  pid: number;
  version: string;
  started_at: string;
  uptime_s: number;
}

export interface AgentLiveness {
  agent: string;
  enabled: boolean;
  /** alive while at least one replica is fresh; stale when every known replica is. */
  state: LivenessState;
  /** Seconds since the newest heartbeat of any replica; null when never seen. */
  heartbeat_age_s: number | null;
  /** The newest heartbeat of any replica. */
  last_heartbeat_at: string | null;
  max_age_s: number;
  /** Of the replica with the newest heartbeat. */
  version: string | null;
  pid: number | null;
  /** Every replica with a key in the bucket, newest heartbeat first. */
  replicas: ReplicaLiveness[];
}

/**
 * Pure verdict for one agent over its replicas: alive while ANY replica's last heartbeat is
 * younger than `max_age_s`, stale when none is, never_seen without one (agent-core's judgeAgent:
 * each replica by isStale, so a heartbeat from the future counts as age 0 and, after an outage of
 * atlas's own bus link, a replica fresh when the link dropped is judged from when it came back).
 * The agent-level fields (`last_heartbeat_at`, pid, version) are the newest replica's.
 */
export function assessLiveness(
  agent: AgentName,
  enabled: boolean,
  maxAgeS: number,
  beats: readonly ReplicaBeat[],
  now: Date,
  outage: OutageWindow | null = null,
): AgentLiveness {
  const verdict = judgeAgent(agent, beats, maxAgeS * 1000, now.getTime(), outage);
  const newest = verdict.newest;
  return {
    agent,
    enabled,
    state: verdict.state,
    heartbeat_age_s: newest === null ? null : seconds(newest.ageMs),
    last_heartbeat_at: newest?.beat.record.at ?? null,
    max_age_s: maxAgeS,
    version: newest?.beat.record.version ?? null,
    pid: newest?.beat.record.pid ?? null,
    replicas: verdict.replicas.map(replicaLiveness),
  };
}

function replicaLiveness(verdict: ReplicaVerdict): ReplicaLiveness {
  const { beat } = verdict;
  return {
    replica: beat.replica,
    stale: verdict.stale,
    at: beat.record.at,
    heartbeat_age_s: seconds(verdict.ageMs),
    pid: beat.record.pid,
    version: beat.record.version,
    started_at: beat.record.started_at,
    uptime_s: beat.record.uptime_s,
  };
}

/** Tenths of a second. */
function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
