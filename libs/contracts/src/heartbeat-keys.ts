import { AGENT_NAMES, type AgentName } from './subjects';

/**
 * A replica's name: a DNS label, so it can be a Kubernetes pod name, a compose container name or
 * `<host>-<pid>`, and a KV key token (no dots: `<agent>.<replica>` splits unambiguously).
 */
export const REPLICA_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The longest replica id (a DNS label). */
export const REPLICA_ID_MAX_LENGTH = 63;

/** True when `value` may name a replica (heartbeat keys, lease holders). */
export function isReplicaId(value: string): boolean {
  return REPLICA_ID_PATTERN.test(value);
}

/**
 * The key of one replica's heartbeat in the `heartbeats` bucket: `<agent>.<replica>`. Every
 * replica of an agent writes its own key, so replicas never overwrite one another's liveness.
 */
export function heartbeatKey(agent: AgentName, replica: string): string {
  if (!isReplicaId(replica)) {
    throw new Error(`heartbeat key: ${JSON.stringify(replica.slice(0, 80))} is not a replica id`);
  }
  return `${agent}.${replica}`;
}

/**
 * Who a heartbeat key belongs to. `<agent>` alone is the key written before replicas existed:
 * its replica is the agent's name, so an old record stays readable as one replica. null for a
 * key that names no agent (nothing of ours).
 */
export function parseHeartbeatKey(key: string): { agent: AgentName; replica: string } | null {
  const dot = key.indexOf('.');
  const agentPart = dot === -1 ? key : key.slice(0, dot);
  const agent = AGENT_NAMES.find((name) => name === agentPart);
  if (agent === undefined) return null;
  if (dot === -1) return { agent, replica: agent };
  const replica = key.slice(dot + 1);
  return isReplicaId(replica) ? { agent, replica } : null;
}
