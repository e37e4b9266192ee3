/** Ten connections: a typical small service's database pool. */
export const POOL_SIZE = 10;
/**
 * One lease in two is never given back (an error path that forgets to release):
 * the pool is gone after ~20 requests — about 2 s at recommendation's share of
 * the demo's light load, 30 s at checkout's.
 */
export const POOL_LEAK_EVERY = 2;
/** A request gives up on a connection after 1 s: the usual driver default is of that order. */
export const POOL_ACQUIRE_TIMEOUT_MS = 1_000;
/** Waiters beyond this fail at once; bounds memory when a flood meets an empty pool. */
const MAX_WAITERS = 256;

/** No connection became free within the acquire timeout. */
export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError';
}

export interface PoolLease {
  release(): void;
}

export interface PoolState {
  readonly size: number;
  readonly in_use: number;
  readonly leaked: number;
  readonly waiting: number;
}

interface Waiter {
  readonly grant: (lease: PoolLease) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * `connection_pool_exhaustion`: a connection pool that leaks. Each request
 * leases a connection for its work; every POOL_LEAK_EVERY-th lease is never
 * returned. Once all are leaked, every request waits the acquire timeout and
 * fails with `Timeout acquiring connection: pool exhausted` — until a restart
 * (or clearing the fault) gives the connections back.
 */
export class LeakyConnectionPool {
  private inUse = 0;
  private leaked = 0;
  private releases = 0;
  /** Leases from before a reset() are void: their release must not free a new connection. */
  private generation = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly size: number = POOL_SIZE,
    private readonly leakEvery: number = POOL_LEAK_EVERY,
    private readonly acquireTimeoutMs: number = POOL_ACQUIRE_TIMEOUT_MS,
  ) {}

  /** A connection, or PoolTimeoutError after the acquire timeout. */
  acquire(): Promise<PoolLease> {
    if (this.inUse < this.size) {
      this.inUse++;
      return Promise.resolve(this.lease());
    }
    if (this.waiters.length >= MAX_WAITERS) {
      return Promise.reject(this.timeoutError(0));
    }
    return new Promise<PoolLease>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (lease) => {
          clearTimeout(waiter.timer);
          resolve(lease);
        },
        timer: setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(this.timeoutError(this.acquireTimeoutMs));
        }, this.acquireTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  get exhausted(): boolean {
    return this.inUse >= this.size;
  }

  state(): PoolState {
    return {
      size: this.size,
      in_use: this.inUse,
      leaked: this.leaked,
      waiting: this.waiters.length,
    };
  }

  /** Every connection back (what a restart does); waiters get one each as they fit. */
  reset(): void {
    this.generation++;
    this.inUse = 0;
    this.leaked = 0;
    this.releases = 0;
    while (this.waiters.length > 0 && this.inUse < this.size) {
      this.inUse++;
      this.waiters.shift()?.grant(this.lease());
    }
  }

  private lease(): PoolLease {
    const generation = this.generation;
    let done = false;
    return {
      release: () => {
        if (done || generation !== this.generation) return;
        done = true;
        this.releases++;
        if (this.releases % this.leakEvery === 0) {
          this.leaked++; // the bug: this connection is never returned
          return;
        }
        const next = this.waiters.shift();
        if (next !== undefined) next.grant(this.lease());
        else this.inUse--;
      },
    };
  }

  private timeoutError(waitedMs: number): PoolTimeoutError {
    return new PoolTimeoutError(
      `Timeout acquiring connection: pool exhausted (${this.inUse}/${this.size} connections in use, ` +
        `${this.leaked} never returned, waited ${waitedMs} ms)`,
    );
  }
}
