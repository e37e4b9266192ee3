import { type ReplicaVerdict } from '@opscrew/agent-core';

/** Never prune a key younger than this: 10 min. */
export const PRUNE_FLOOR_MS = 10 * 60_000;

/**
 * How long a replica's key may stay silent before it is pruned: ten allowances (`max_age_s`),
 * at least 10 minutes — long past any restart, rollout or bus outage, well inside the bucket's
 * one-day TTL that would drop it anyway.
 */
export function pruneAfterMs(maxAgeS: number): number {
  return Math.max(PRUNE_FLOOR_MS, 10 * maxAgeS * 1000);
}

/**
 * Which replicas' keys go (pure). Every `start all` restart is a new `<host>-<pid>` replica, so
 * dead ones pile up. A key silent for longer than `afterMs` goes when another replica of the agent
 * is fresh; when none is, all but the newest key go: the last sign of a dead agent stays visible
 * (`GET /agents` still says when it was last seen). `replicas` is newest heartbeat first (as
 * judgeAgent orders them).
 */
export function prunableReplicas(
  replicas: readonly ReplicaVerdict[],
  afterMs: number,
): ReplicaVerdict[] {
  const anyFresh = replicas.some((replica) => !replica.stale);
  return replicas.filter(
    (replica, index) => replica.stale && replica.ageMs > afterMs && (anyFresh || index > 0),
  );
}
