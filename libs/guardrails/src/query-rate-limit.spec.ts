import { QueryRateLimit, RateLimitedError } from './query-rate-limit';

describe('QueryRateLimit', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = Date.parse('2025-03-01T10:00:00.000Z');
  });

  it('admits up to the limit in a minute, then fails fast with the wait', () => {
    const limit = QueryRateLimit.perMinute('signoz', 30, clock);
    for (let i = 0; i < 30; i++) {
      limit.acquire();
      now += 1000;
    }
    expect(limit.remaining).toBe(0);
    const error = (() => {
      try {
        limit.acquire();
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RateLimitedError);
    const limited = error as RateLimitedError;
    // The first query was at t=0, now is t=30 s: its slot frees at t=60 s.
    expect(limited.retryAfterMs).toBe(30_000);
    expect(limited.message).toBe(
      'signoz: rate limit of 30 queries per 60 s reached; retry in 30 s',
    );
  });

  it('is a sliding window: one slot frees when the oldest admission is a minute old', () => {
    const limit = QueryRateLimit.perMinute('signoz', 2, clock);
    limit.acquire(); // t=0
    now += 40_000;
    limit.acquire(); // t=40 s
    expect(() => limit.acquire()).toThrow(RateLimitedError);
    now += 20_000; // t=60 s: the first slot is free, the second is not
    limit.acquire();
    // Now admitted at 40 s and 60 s: the next slot frees at 100 s.
    expect(() => limit.acquire()).toThrow(/retry in 40 s/);
    now += 40_000;
    expect(limit.remaining).toBe(1);
  });

  it('a refused call does not use a slot', () => {
    const limit = QueryRateLimit.perMinute('signoz', 1, clock);
    limit.acquire();
    for (let i = 0; i < 10; i++) expect(() => limit.acquire()).toThrow(RateLimitedError);
    now += 60_000;
    expect(() => limit.acquire()).not.toThrow();
  });

  it('unlimited admits everything (local sources keep the same wrapper)', () => {
    const limit = QueryRateLimit.unlimited('scrape');
    for (let i = 0; i < 10_000; i++) limit.acquire();
    expect(limit.remaining).toBe(Number.POSITIVE_INFINITY);
    expect(limit.maxPerWindow).toBeNull();
  });

  it('rejects a non-positive limit', () => {
    expect(() => QueryRateLimit.perMinute('signoz', 0)).toThrow(
      'signoz: rate limit must be a positive integer, got 0',
    );
  });
});
