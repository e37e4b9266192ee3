import {
  BreakerOpenError,
  CircuitBreaker,
  QueryRateLimit,
  RateLimitedError,
} from '@opscrew/guardrails';
import {
  GuardedMetricsSource,
  GuardedSearchSource,
  isLogSearch,
  isTraceSearch,
} from './guarded.metrics-source';
import {
  type LogSearch,
  type MetricsSnapshot,
  type MetricsSource,
  type TraceSearch,
} from './metrics-source.port';

const SNAPSHOT: MetricsSnapshot = { at: '2025-03-01T10:00:00.000Z', samples: [], missing: [] };

describe('GuardedMetricsSource', () => {
  let now: number;
  let inner: MetricsSource &
    TraceSearch &
    LogSearch & { collect: jest.Mock; searchTraces: jest.Mock; searchLogs: jest.Mock };
  let breaker: CircuitBreaker;
  let rateLimit: QueryRateLimit;

  beforeEach(() => {
    now = Date.parse('2025-03-01T10:00:00.000Z');
    inner = {
      kind: 'signoz',
      collect: jest.fn().mockResolvedValue(SNAPSHOT),
      searchTraces: jest.fn().mockResolvedValue([]),
      searchLogs: jest.fn().mockResolvedValue([]),
    };
    breaker = new CircuitBreaker('signoz', {
      failureThreshold: 3,
      resetTimeoutMs: 60_000,
      now: () => now,
    });
    rateLimit = QueryRateLimit.perMinute('signoz', 5, () => now);
  });

  it('passes calls through and keeps the inner kind', async () => {
    const guarded = new GuardedMetricsSource(inner, { breaker, rateLimit });
    expect(guarded.kind).toBe('signoz');
    await expect(guarded.collect(['cart'])).resolves.toBe(SNAPSHOT);
    expect(inner.collect).toHaveBeenCalledWith(['cart']);
    expect(rateLimit.remaining).toBe(4);
  });

  it('over the rate limit: fails fast with RateLimitedError, the source is not called', async () => {
    const guarded = new GuardedMetricsSource(inner, { breaker, rateLimit });
    for (let i = 0; i < 5; i++) await guarded.collect(['cart']);
    await expect(guarded.collect(['cart'])).rejects.toBeInstanceOf(RateLimitedError);
    expect(inner.collect).toHaveBeenCalledTimes(5);
    // A refused call is not a failure of the source.
    expect(breaker.state).toBe('closed');
  });

  it('an open breaker fails fast with BreakerOpenError and uses no rate-limit slot', async () => {
    inner.collect.mockRejectedValue(
      new Error('SigNoz http://signoz/api/v2/services answered HTTP 503'),
    );
    const guarded = new GuardedMetricsSource(inner, { breaker, rateLimit });
    for (let i = 0; i < 3; i++) await expect(guarded.collect(['cart'])).rejects.toThrow('HTTP 503');
    expect(rateLimit.remaining).toBe(2);
    const error = await guarded.collect(['cart']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect((error as BreakerOpenError).message).toMatch(
      /^signoz: circuit open, failing fast until 2025-03-01T10:01:00.000Z/,
    );
    expect(inner.collect).toHaveBeenCalledTimes(3);
    expect(rateLimit.remaining).toBe(2);
  });

  it('trace and log search share the same guards', async () => {
    const guarded = new GuardedSearchSource(inner, { breaker, rateLimit });
    expect(isTraceSearch(guarded)).toBe(true);
    expect(isLogSearch(guarded)).toBe(true);
    await guarded.searchTraces('cart', { sinceMs: now - 60_000, limit: 5 });
    await guarded.searchLogs('cart', { sinceMs: now - 60_000, limit: 5 });
    await guarded.collect(['cart']);
    expect(rateLimit.remaining).toBe(2);
    expect(inner.searchLogs).toHaveBeenCalledWith('cart', { sinceMs: now - 60_000, limit: 5 });
    expect(inner.searchTraces).toHaveBeenCalledWith('cart', { sinceMs: now - 60_000, limit: 5 });
  });

  it('without a breaker (scrape: breakers per target) only the rate limit applies', async () => {
    inner.collect.mockRejectedValue(new Error('boom'));
    const guarded = new GuardedMetricsSource(inner, {
      rateLimit: QueryRateLimit.unlimited('scrape'),
    });
    for (let i = 0; i < 5; i++) await expect(guarded.collect(['cart'])).rejects.toThrow('boom');
    expect(inner.collect).toHaveBeenCalledTimes(5);
    expect(isTraceSearch(guarded)).toBe(false);
    expect(isLogSearch(guarded)).toBe(false);
  });
});
