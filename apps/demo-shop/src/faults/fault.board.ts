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
 * 1 MiB kept per request: at recommendation's ~10 requests/s under the demo's
 * light load that is ~10 MiB/s, so a process idling at ~60 MiB passes its
 * 192 MiB soft limit in ~13 s — within one 15 s detection cycle.
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

  constructor(now: () => number = Date.now) {
    this.creep = new LatencyCreepFault(now);
  }

  arm(name: FaultName): void {
    if (name === 'memory_leak') this.leaking = true;
    else if (name === 'latency_creep') this.creep.arm();
    else this.poolLeaking = true;
  }

  /** Everything back to normal, as a restart would leave it. */
  clear(): void {
    this.leaking = false;
    this.leak.clear();
    this.creep.clear();
    this.poolLeaking = false;
    this.pool.reset();
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
