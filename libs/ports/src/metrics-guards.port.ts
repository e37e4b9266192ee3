/**
 * What the metrics adapters (`@opscrew/integrations`) need from a circuit
 * breaker and a query rate limit. `@opscrew/guardrails` implements both
 * (`CircuitBreaker`, `QueryRateLimit`, handed out by `CircuitBreakerRegistry`);
 * the two libs are peers and never import each other, so the port lives here.
 */
export interface SourceBreaker {
  readonly name: string;
  readonly state: 'closed' | 'open' | 'half_open';
  /** Runs `fn`; fails fast with a `BreakerOpenError` while open. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  /** Throws the `BreakerOpenError` without calling anything, while open. */
  throwIfOpen(): void;
}

export interface SourceRateLimit {
  readonly name: string;
  /** Admits one query or throws a `RateLimitedError` (never waits). */
  acquire(): void;
}

/** Hands out the guards for a source: one breaker per name, one rate limit per source. */
export interface MetricsGuardProvider {
  breaker(name: string): SourceBreaker;
  /** `maxPerMinute` null: no limit (local sources), same wrapper. */
  rateLimit(name: string, maxPerMinute: number | null): SourceRateLimit;
}

/** The shape of guardrails' `BreakerOpenError`, recognised without importing it. */
export interface BreakerOpenLike extends Error {
  readonly breaker: string;
  /** Epoch ms of the next trial call. */
  readonly retryAt: number;
  readonly lastFailure?: string;
}

export function isBreakerOpenError(error: unknown): error is BreakerOpenLike {
  return (
    error instanceof Error &&
    error.name === 'BreakerOpenError' &&
    typeof (error as Partial<BreakerOpenLike>).retryAt === 'number'
  );
}
