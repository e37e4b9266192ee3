/**
 * +100 ms per second since injection: 1.5 s after one 15 s detection cycle —
 * many times any service's normal p99 (tens of ms), so the relative detector
 * (×2 against the previous cycle, above 200 ms) fires on the first cycle, and
 * the trend detector (+10 % a cycle) on every cycle after.
 */
export const LATENCY_CREEP_MS_PER_S = 100;
/** 10 s: the last finite bucket of the latency histogram; every caller's timeout is shorter. */
export const LATENCY_CREEP_MAX_MS = 10_000;

/**
 * `latency_creep`: every request waits a delay that grows with the time since
 * the fault was injected (a table that grows without an index, a lock held a
 * little longer each minute). The wait happens outside the service's worker
 * slots — it is waiting, not work — so it shows as latency first and as
 * errors only where a caller's timeout is reached.
 */
export class LatencyCreepFault {
  private since: number | null = null;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly msPerSecond: number = LATENCY_CREEP_MS_PER_S,
    private readonly maxMs: number = LATENCY_CREEP_MAX_MS,
  ) {}

  /** Injecting again keeps the creep already accumulated. */
  arm(): void {
    this.since ??= this.now();
  }

  clear(): void {
    this.since = null;
  }

  get armed(): boolean {
    return this.since !== null;
  }

  /** The delay a request waits right now (ms); 0 when not armed. */
  delayMs(): number {
    if (this.since === null) return 0;
    const elapsedS = Math.max(0, this.now() - this.since) / 1000;
    return Math.min(this.maxMs, Math.round(elapsedS * this.msPerSecond));
  }
}
