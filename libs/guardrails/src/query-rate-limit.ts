import { type SourceRateLimit } from '@opscrew/ports';

/** Thrown instead of sending a query over the limit: the caller skips this cycle, it never queues. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';

  constructor(
    readonly limit: string,
    /** How long until the next query would be admitted. */
    readonly retryAfterMs: number,
    readonly maxPerWindow: number,
    readonly windowMs: number,
  ) {
    super(
      `${limit}: rate limit of ${maxPerWindow} queries per ${windowMs / 1000} s reached; ` +
        `retry in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
}

/** A minute: the unit `rate_limits.*_per_minute` is written in. */
const MINUTE_MS = 60_000;
/** An hour: the unit `rate_limits.*_per_hour` is written in. */
const HOUR_MS = 3_600_000;

/**
 * A sliding-window log limiter for one process's outbound queries: at most
 * `maxPerWindow` admissions in any `windowMs`. Exact (no burst of 2× at a
 * window edge, unlike a fixed window), and small: it remembers at most
 * `maxPerWindow` timestamps. In memory on purpose — it protects what this
 * process sends, so there is no state to share between replicas.
 */
export class QueryRateLimit implements SourceRateLimit {
  private readonly admitted: number[] = [];
  private readonly now: () => number;

  private constructor(
    readonly name: string,
    /** null: unlimited (local sources), kept so every source goes through the same wrapper. */
    readonly maxPerWindow: number | null,
    readonly windowMs: number,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** `rate_limits.signoz_queries_per_minute` and the like. */
  static perMinute(name: string, maxPerMinute: number, now?: () => number): QueryRateLimit {
    if (!Number.isInteger(maxPerMinute) || maxPerMinute < 1) {
      throw new Error(`${name}: rate limit must be a positive integer, got ${maxPerMinute}`);
    }
    return new QueryRateLimit(name, maxPerMinute, MINUTE_MS, now);
  }

  /** `rate_limits.llm_calls_per_hour`: model calls, whose cost makes an hour the natural unit. */
  static perHour(name: string, maxPerHour: number, now?: () => number): QueryRateLimit {
    if (!Number.isInteger(maxPerHour) || maxPerHour < 1) {
      throw new Error(`${name}: rate limit must be a positive integer, got ${maxPerHour}`);
    }
    return new QueryRateLimit(name, maxPerHour, HOUR_MS, now);
  }

  static unlimited(name: string): QueryRateLimit {
    return new QueryRateLimit(name, null, MINUTE_MS);
  }

  /** Admissions left in the current window (Infinity when unlimited). */
  get remaining(): number {
    if (this.maxPerWindow === null) return Number.POSITIVE_INFINITY;
    this.forgetExpired(this.now());
    return this.maxPerWindow - this.admitted.length;
  }

  /** Admits one query, or throws RateLimitedError with the wait until the next slot. */
  acquire(): void {
    if (this.maxPerWindow === null) return;
    const now = this.now();
    this.forgetExpired(now);
    if (this.admitted.length >= this.maxPerWindow) {
      const oldest = this.admitted[0] ?? now;
      throw new RateLimitedError(
        this.name,
        Math.max(1, oldest + this.windowMs - now),
        this.maxPerWindow,
        this.windowMs,
      );
    }
    this.admitted.push(now);
  }

  private forgetExpired(now: number): void {
    while (this.admitted.length > 0 && (this.admitted[0] ?? now) <= now - this.windowMs) {
      this.admitted.shift();
    }
  }
}
