/** The service is at capacity: its workers are busy and its queue is full, or the wait was too long. */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';

  constructor(
    readonly reason: 'queue_full' | 'queue_timeout' | 'abandoned',
    message: string,
  ) {
    super(message);
  }
}

export interface ConcurrencyLimits {
  /** Requests doing the service's own work at once (its workers). */
  readonly concurrency: number;
  /** Requests waiting for a worker; one more is refused at once. */
  readonly queue: number;
  /** A request that waited this long is refused: its caller has given up by then. */
  readonly queueTimeoutMs: number;
}

interface Waiter {
  readonly start: () => void;
  readonly fail: (error: OverloadedError) => void;
}

/**
 * Workers and a bounded queue, as in any server with a thread pool: below
 * capacity a request starts at once; at capacity it queues (latency rises);
 * with the queue full it is refused (503). Heavy load thus produces latency
 * first and errors after, by itself, with no special case for "stress".
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly limits: ConcurrencyLimits) {
    if (!(limits.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
  }

  /** Runs `work` in a worker slot; OverloadedError when none frees up in time. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.limits.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (signal?.aborted === true) {
      return Promise.reject(new OverloadedError('abandoned', 'the caller went away while queued'));
    }
    if (this.waiting.length >= this.limits.queue) {
      return Promise.reject(
        new OverloadedError(
          'queue_full',
          `overloaded: ${this.active} requests in progress and ${this.waiting.length} queued`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
      };
      const waiter: Waiter = {
        start: () => {
          leave();
          resolve();
        },
        fail: (error) => {
          leave();
          reject(error);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.fail(
            new OverloadedError(
              'queue_timeout',
              `overloaded: waited ${this.limits.queueTimeoutMs} ms for a worker`,
            ),
          ),
        this.limits.queueTimeoutMs,
      );
      const onAbort = (): void =>
        waiter.fail(new OverloadedError('abandoned', 'the caller went away while queued'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting[0];
    if (next !== undefined) next.start();
    else this.active--;
  }
}
