import { type OutageWindow } from '@opscrew/agent-core';
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
  outage: OutageWindow | null = null,
): Promise<AgentLiveness[]> {
  // The reads go out together: on a busy event loop (GET /incidents under load) each sequential
  // round trip waits its turn behind every queued request, and /agents stalled four times over.
  const configured = AGENT_NAMES.flatMap((agent) => {
    const settings = agents.get(agent);
    return settings ? [{ agent, settings }] : [];
  });
  const heartbeatsRead = await Promise.all(
    configured.map(async ({ agent }) => (await heartbeats.get(agent))?.value ?? null),
  );
  return configured.map(({ agent, settings }, index) =>
    assessLiveness(
      agent,
      settings.enabled,
      settings.max_age_s,
      heartbeatsRead[index] ?? null,
      now,
      outage,
    ),
  );
}
