import { errorMessage } from '@opscrew/contracts';
import { type SourceBreaker } from '@opscrew/ports';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
} from 'cockatiel';

/** What /metrics shows for one breaker. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * A reported change: `open` once when a closed breaker trips, `closed` once when
 * a trial call succeeds. The half-open trials in between (one per reset timeout)
 * are not reported: an outage is one event, not one per minute.
 */
export interface BreakerStateChange {
  readonly breaker: string;
  readonly state: 'open' | 'closed';
  /** ISO-8601 time of the change. */
  readonly at: string;
  /** When the breaker will let one trial call through (only for `open`). */
  readonly retry_at?: string;
  /** The failure that tripped it (only for `open`). */
  readonly reason?: string;
}

export type BreakerStateListener = (change: BreakerStateChange) => void;

/** The slice of Nest's `Logger` a breaker writes to. */
export interface BreakerLogger {
  log(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long an open breaker fails fast before it lets one trial call through. */
  readonly resetTimeoutMs: number;
  /** Epoch ms; injectable so tests can move time instead of sleeping. */
  readonly now?: () => number;
  readonly logger?: BreakerLogger;
}

/** Thrown instead of calling a source whose breaker is open. */
export class BreakerOpenError extends Error {
  override readonly name = 'BreakerOpenError';

  constructor(
    /** The breaker's name: the source (`signoz`) or the target (`scrape:cart`). */
    readonly breaker: string,
    /** Epoch ms at which the breaker lets a trial call through. */
    readonly retryAt: number,
    readonly retryAfterMs: number,
    readonly lastFailure?: string,
  ) {
    super(
      `${breaker}: circuit open, failing fast until ${new Date(retryAt).toISOString()} ` +
        `(retry in ${Math.ceil(retryAfterMs / 1000)} s)` +
        (lastFailure === undefined ? '' : `; last failure: ${lastFailure}`),
    );
  }
}

/**
 * A consecutive-failure circuit breaker over cockatiel: `failureThreshold`
 * failures in a row open it; while open every call fails fast with a
 * BreakerOpenError; after `resetTimeoutMs` one trial call is let through
 * (half-open) — success closes it, failure opens it for another timeout.
 *
 * cockatiel measures the open period with `Date.now()`; to make time
 * injectable, the "backoff" handed to cockatiel answers 0 ms (go half-open) or
 * forever (stay open) by asking our own clock.
 */
export class CircuitBreaker implements SourceBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private readonly now: () => number;
  private readonly listeners = new Set<BreakerStateListener>();
  private openUntil = 0;
  private lastFailure: string | undefined;
  /** The last state reported to listeners: each outage is reported once, open and closed. */
  private previousReported: 'open' | 'closed' = 'closed';

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new Error(`${name}: failure threshold must be a positive integer`);
    }
    if (!(options.resetTimeoutMs > 0)) {
      throw new Error(`${name}: reset timeout must be positive`);
    }
    this.now = options.now ?? Date.now;
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: this.clockBackoffFactory(),
      breaker: new ConsecutiveBreaker(options.failureThreshold),
    });
    this.policy.onBreak((reason) => {
      if ('error' in reason) this.lastFailure = errorMessage(reason.error);
    });
    this.policy.onStateChange((state) => this.reportTransition(state));
  }

  /** From `thresholds.guardrails.circuit_breaker`. */
  static fromConfig(
    name: string,
    config: { readonly failure_threshold: number; readonly reset_timeout_s: number },
    options: Omit<CircuitBreakerOptions, 'failureThreshold' | 'resetTimeoutMs'> = {},
  ): CircuitBreaker {
    return new CircuitBreaker(name, {
      ...options,
      failureThreshold: config.failure_threshold,
      resetTimeoutMs: config.reset_timeout_s * 1000,
    });
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half_open';
      default:
        return 'open';
    }
  }

  /** Epoch ms of the next trial call while open; null otherwise. */
  get retryAt(): number | null {
    return this.state === 'open' ? this.openUntil : null;
  }

  /** Subscribe to `open`/`closed` reports; returns the unsubscribe function. */
  onStateChange(listener: BreakerStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fails fast (without side effects) when the breaker is open and not yet due for a trial. */
  throwIfOpen(): void {
    if (this.state !== 'open') return;
    const now = this.now();
    if (now < this.openUntil) {
      throw new BreakerOpenError(this.name, this.openUntil, this.openUntil - now, this.lastFailure);
    }
  }

  /** Runs `fn` through the breaker; every error counts as a failure. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    this.throwIfOpen();
    try {
      return await this.policy.execute(() => fn());
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        // Lost a race with a failed half-open trial: report it like any open breaker.
        const now = this.now();
        throw new BreakerOpenError(
          this.name,
          this.openUntil,
          Math.max(0, this.openUntil - now),
          this.lastFailure,
        );
      }
      throw error;
    }
  }

  private clockBackoffFactory(): IBackoffFactory<unknown> {
    const next = (): IBackoff<unknown> => {
      // Called by cockatiel each time the breaker opens (first trip or failed trial).
      this.openUntil = this.now() + this.options.resetTimeoutMs;
      const until = this.openUntil;
      const now = this.now;
      return {
        // cockatiel stays open while `Date.now() - openedAt < duration`.
        get duration() {
          return now() >= until ? 0 : Number.POSITIVE_INFINITY;
        },
        next,
      };
    };
    return { next };
  }

  private reportTransition(state: CircuitState): void {
    const logger = this.options.logger;
    const at = new Date(this.now()).toISOString();
    if (state === CircuitState.Open && this.previousReported !== 'open') {
      this.previousReported = 'open';
      const retryAt = new Date(this.openUntil).toISOString();
      logger?.warn(
        `${this.name}: circuit OPEN after ${this.options.failureThreshold} consecutive failures` +
          ` (last: ${this.lastFailure ?? 'unknown'}); failing fast until ${retryAt}`,
      );
      this.emit({
        breaker: this.name,
        state: 'open',
        at,
        retry_at: retryAt,
        ...(this.lastFailure === undefined ? {} : { reason: this.lastFailure }),
      });
    } else if (state === CircuitState.Open) {
      logger?.debug?.(
        `${this.name}: trial call failed (${this.lastFailure ?? 'unknown'}); ` +
          `still open until ${new Date(this.openUntil).toISOString()}`,
      );
    } else if (state === CircuitState.Closed && this.previousReported === 'open') {
      this.previousReported = 'closed';
      logger?.log(`${this.name}: circuit closed: trial call succeeded`);
      this.emit({ breaker: this.name, state: 'closed', at });
    }
  }

  private emit(change: BreakerStateChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        // A broken listener (a metrics exporter) must not break the call path.
        this.options.logger?.warn(
          `${this.name}: breaker state listener failed: ${errorMessage(error)}`,
        );
      }
    }
  }
}
