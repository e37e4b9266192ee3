import { type AgentName } from '@opscrew/contracts';

/** One process of `opscrew start all --replicas N`. */
export interface ReplicaSlot {
  readonly agent: AgentName;
  /** OPSCREW_REPLICA_ID (a DNS label: `<agent>-<i>`); null with one process per agent. */
  readonly replica: string | null;
  /** Its HTTP port (PORT); null: the configured one. */
  readonly port: number | null;
}

/**
 * Which processes `start all` runs: `count` per agent. One per agent is the plain start (no
 * replica id, the configured port: `npm start` unchanged). With more, replica 1 keeps the
 * configured port — the one the config, atlas and the docs name — and each further replica
 * takes the next of `freePorts` (two processes cannot share a port), in agent order.
 */
export function planReplicas(
  agents: readonly AgentName[],
  count: number,
  freePorts: readonly number[],
): ReplicaSlot[] {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`--replicas must be a whole number >= 1, got ${count}`);
  if (count === 1) return agents.map((agent) => ({ agent, replica: null, port: null }));
  const needed = agents.length * (count - 1);
  if (freePorts.length < needed)
    throw new RangeError(
      `${needed} free ports needed for ${count} replicas, got ${freePorts.length}`,
    );
  const slots: ReplicaSlot[] = [];
  let next = 0;
  for (const agent of agents) {
    for (let index = 1; index <= count; index++) {
      const port = index === 1 ? null : (freePorts[next++] ?? null);
      slots.push({ agent, replica: `${agent}-${index}`, port });
    }
  }
  return slots;
}

/** How many free ports planReplicas needs. */
export function extraPortsNeeded(agents: number, count: number): number {
  return count > 1 ? agents * (count - 1) : 0;
}

/** The variables a slot adds to its process's environment (none with one process per agent). */
export function replicaEnv(slot: ReplicaSlot): Record<string, string> {
  return {
    ...(slot.replica !== null ? { OPSCREW_REPLICA_ID: slot.replica } : {}),
    ...(slot.port !== null ? { PORT: String(slot.port) } : {}),
  };
}
