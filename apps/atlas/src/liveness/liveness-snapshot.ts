import { groupHeartbeats, type HeartbeatSource, type OutageWindow } from '@opscrew/agent-core';
import { AGENT_NAMES } from '@opscrew/contracts';
import { type AgentLiveness, assessLiveness } from './agent-liveness';

/** What the verdict needs of an agent's config section. */
export interface LivenessSettings {
  readonly enabled: boolean;
  readonly max_age_s: number;
}

/**
 * Every configured agent with its verdict over its replicas, from one read of every heartbeat
 * key (the board: memory kept by a watch, not a KV round trip per agent): the one view behind
 * `GET /agents`, the liveness pass, ChatOps /status, the status page and the MCP `agent_status`.
 */
export async function livenessSnapshot(
  heartbeats: HeartbeatSource,
  agents: ReadonlyMap<string, LivenessSettings>,
  now: Date,
  outage: OutageWindow | null = null,
): Promise<AgentLiveness[]> {
  const byAgent = groupHeartbeats(await heartbeats.read());
  return AGENT_NAMES.flatMap((agent) => {
    const settings = agents.get(agent);
    if (!settings) return [];
    return [
      assessLiveness(
        agent,
        settings.enabled,
        settings.max_age_s,
        byAgent.get(agent) ?? [],
        now,
        outage,
      ),
    ];
  });
}
