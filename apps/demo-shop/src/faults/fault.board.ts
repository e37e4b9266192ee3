import { LeakyConnectionPool, type PoolState } from './connection-pool.fault';
import { GrowingCache } from './growing.cache';
import { LatencyCreepFault } from './latency-creep.fault';

/** The restart-curable faults: in memory only, so a restart clears them. */
export const FAULT_NAMES = ['memory_leak', 'latency_creep', 'connection_pool_exhaustion'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/**
 * 1 MiB kept per request, on top of the background growth below: a process
 * idling at ~60 MiB passes its 192 MiB soft limit in ~15 s on a trickle of
 * traffic and sooner under load — within one 15 s detection cycle.
 */
export const MEMORY_LEAK_BYTES_PER_REQUEST = 1024 * 1024;
/**
 * 5 ms per leaked entry: +500 ms after 100 requests (~10 s), so latency is
 * visibly rising (×2 and more against a p99 of tens of ms) before the memory
 * runs out and requests start failing.
 */
export const MEMORY_LEAK_SCAN_MS_PER_ENTRY = 5;
/** The scan stops growing at 5 s: past every caller's timeout, more proves nothing. */
export const MEMORY_LEAK_MAX_SCAN_MS = 5_000;
/**
 * The leak also grows on its own, one entry every 125 ms (8 MiB/s; a
 * background refresh that caches without evicting), so it runs out of memory
 * in ~15 s whatever the traffic — Locust's users think between requests and
 * would otherwise leave the fault's pace to the load driver.
 */
export const MEMORY_LEAK_BACKGROUND_INTERVAL_MS = 125;

export interface FaultSnapshot {
  readonly memory_leak: {
    readonly armed: boolean;
    readonly retained_entries: number;
    readonly retained_bytes: number;
    readonly scan_delay_ms: number;
  };
  readonly latency_creep: { readonly armed: boolean; readonly delay_ms: number };
  readonly connection_pool_exhaustion: { readonly armed: boolean } & PoolState;
}

/** One service's restart-curable faults, armed and cleared through `/faults`. */
export class FaultBoard {
  readonly leak = new GrowingCache(
    MEMORY_LEAK_BYTES_PER_REQUEST,
    MEMORY_LEAK_SCAN_MS_PER_ENTRY,
    MEMORY_LEAK_MAX_SCAN_MS,
  );
  readonly creep: LatencyCreepFault;
  readonly pool = new LeakyConnectionPool();
  private leaking = false;
  private poolLeaking = false;
  private leakTimer: NodeJS.Timeout | null = null;

  constructor(
    now: () => number = Date.now,
    private readonly every: (tick: () => void, ms: number) => NodeJS.Timeout = setInterval,
  ) {
    this.creep = new LatencyCreepFault(now);
  }

  arm(name: FaultName): void {
    if (name === 'memory_leak') {
      this.leaking = true;
      this.leakTimer ??= this.every(() => this.leak.grow(), MEMORY_LEAK_BACKGROUND_INTERVAL_MS);
      // The fault must never keep a service alive that was asked to stop.
      this.leakTimer.unref();
    } else if (name === 'latency_creep') this.creep.arm();
    else this.poolLeaking = true;
  }

  /** Everything back to normal, as a restart would leave it. */
  clear(): void {
    this.leaking = false;
    this.stopLeakTimer();
    this.leak.clear();
    this.creep.clear();
    this.poolLeaking = false;
    this.pool.reset();
  }

  /** Stops the background growth (the service is shutting down). */
  dispose(): void {
    this.stopLeakTimer();
  }

  private stopLeakTimer(): void {
    if (this.leakTimer !== null) clearInterval(this.leakTimer);
    this.leakTimer = null;
  }

  get memoryLeakArmed(): boolean {
    return this.leaking;
  }

  get poolLeakArmed(): boolean {
    return this.poolLeaking;
  }

  /** Names of the armed faults. */
  armed(): FaultName[] {
    return FAULT_NAMES.filter((name) =>
      name === 'memory_leak'
        ? this.leaking
        : name === 'latency_creep'
          ? this.creep.armed
          : this.poolLeaking,
    );
  }

  snapshot(): FaultSnapshot {
    return {
      memory_leak: {
        armed: this.leaking,
        retained_entries: this.leak.size,
        retained_bytes: this.leak.retainedBytes,
        scan_delay_ms: this.leak.scanDelayMs(),
      },
      latency_creep: { armed: this.creep.armed, delay_ms: this.creep.delayMs() },
      connection_pool_exhaustion: { armed: this.poolLeaking, ...this.pool.state() },
    };
  }
}
