import { isStale, type OutageWindow } from '@opscrew/agent-core';
import { type HeartbeatRecord } from '@opscrew/contracts';

export type LivenessState = 'alive' | 'stale' | 'never_seen';

export interface AgentLiveness {
  agent: string;
  enabled: boolean;
  state: LivenessState;
  /** Seconds since the last heartbeat; null when never seen. */
  heartbeat_age_s: number | null;
  last_heartbeat_at: string | null;
  max_age_s: number;
  version: string | null;
  pid: number | null;
}

/**
 * Pure verdict for one agent: alive while its last heartbeat is younger than
 * `max_age_s`, stale after, never_seen without one. A heartbeat from the future
 * (clock skew between hosts) counts as age 0 rather than as a negative age. After an outage of
 * atlas's own bus link (`outage`), an agent fresh when the link dropped is judged from when it
 * came back (agent-core's isStale); `heartbeat_age_s` stays the plain age.
 */
export function assessLiveness(
  agent: string,
  enabled: boolean,
  maxAgeS: number,
  heartbeat: HeartbeatRecord | null,
  now: Date,
  outage: OutageWindow | null = null,
): AgentLiveness {
  if (heartbeat === null) {
    return {
      agent,
      enabled,
      state: 'never_seen',
      heartbeat_age_s: null,
      last_heartbeat_at: null,
      max_age_s: maxAgeS,
      version: null,
      pid: null,
    };
  }
  const lastBeatMs = Date.parse(heartbeat.at);
  const ageS = Math.max(0, (now.getTime() - lastBeatMs) / 1000);
  return {
    agent,
    enabled,
    state: isStale(lastBeatMs, maxAgeS * 1000, now.getTime(), outage) ? 'stale' : 'alive',
    heartbeat_age_s: Math.round(ageS * 10) / 10,
    last_heartbeat_at: heartbeat.at,
    max_age_s: maxAgeS,
    version: heartbeat.version,
    pid: heartbeat.pid,
  };
}
