import { AGENT_NAMES, type HeartbeatRecord } from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';
import { type AgentLiveness, assessLiveness } from './agent-liveness';

/** What the verdict needs of an agent's config section. */
export interface LivenessSettings {
  readonly enabled: boolean;
  readonly max_age_s: number;
}

/**
 * Every configured agent with its verdict, read fresh from the `heartbeats`
 * bucket: the one view behind `GET /agents` and the MCP tool `agent_status`.
 */
export async function livenessSnapshot(
  heartbeats: Pick<TypedKv<HeartbeatRecord>, 'get'>,
  agents: ReadonlyMap<string, LivenessSettings>,
  now: Date,
): Promise<AgentLiveness[]> {
  const result: AgentLiveness[] = [];
  for (const agent of AGENT_NAMES) {
    const settings = agents.get(agent);
    if (!settings) continue;
    const heartbeat = (await heartbeats.get(agent))?.value ?? null;
    result.push(assessLiveness(agent, settings.enabled, settings.max_age_s, heartbeat, now));
  }
  return result;
}
