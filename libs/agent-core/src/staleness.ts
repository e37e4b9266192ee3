import { type BusOutage } from '@opscrew/messaging';

/** The last outage of the judge's own bus connection, in epoch ms. */
export interface OutageWindow {
  readonly downMs: number;
  readonly backMs: number;
}

/**
 * A BusOutage (Dates) as the epoch-ms window the rule takes; null stays null. The bus counts as
 * back for everyone only once the slowest peer could have reconnected: our reconnect plus the
 * shared backoff cap (`settle_ms`). Judged from our own reconnect alone, a peer still asleep in
 * its backoff looked stale after a short NATS restart and atlas restarted it (the fault suite's
 * nats-kill saw it).
 */
export function outageWindow(outage: BusOutage | null): OutageWindow | null {
  return outage === null
    ? null
    : { downMs: outage.down.getTime(), backMs: outage.back.getTime() + outage.settle_ms };
}

/**
 * The instant an agent's heartbeat age is counted from. Normally its last heartbeat; but while
 * our own bus connection was down no heartbeat could reach us, so for an agent that was still
 * fresh when the link dropped the clock restarts when the link came back:
 * max(last heartbeat, back). An agent already stale before the drop gets no such grace (its
 * silence predates the outage, and forgiving it would announce a false recovery).
 */
export function staleReferenceMs(
  lastBeatMs: number,
  thresholdMs: number,
  outage: OutageWindow | null,
): number {
  if (outage === null) return lastBeatMs;
  const freshWhenLinkDropped = lastBeatMs + thresholdMs >= outage.downMs;
  return freshWhenLinkDropped ? Math.max(lastBeatMs, outage.backMs) : lastBeatMs;
}

/**
 * Stale: more than `thresholdMs` since the reference instant (see staleReferenceMs). Pure, so
 * atlas's verdict on every agent and each agent's verdict on atlas follow the same rule.
 */
export function isStale(
  lastBeatMs: number,
  thresholdMs: number,
  nowMs: number,
  outage: OutageWindow | null,
): boolean {
  return nowMs - staleReferenceMs(lastBeatMs, thresholdMs, outage) > thresholdMs;
}
