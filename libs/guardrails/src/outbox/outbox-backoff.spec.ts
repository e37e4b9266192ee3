import { DeliveryError } from '@opscrew/ports';
import { isAmbiguous, isRetryable, retryDelayMs } from './outbox-backoff';

const backoff = { initial_delay_ms: 1000, max_delay_ms: 60_000 };

describe('outbox retry delay', () => {
  it('is capped exponential with equal jitter', () => {
    const error = new DeliveryError('HTTP 500', true, undefined, 500);
    expect(retryDelayMs(1, error, { backoff }, () => 0)).toBe(500);
    expect(retryDelayMs(1, error, { backoff }, () => 0.999999)).toBe(1000);
    expect(retryDelayMs(3, error, { backoff }, () => 0)).toBe(2000);
    expect(retryDelayMs(3, error, { backoff }, () => 0.999999)).toBe(4000);
    expect(retryDelayMs(20, error, { backoff }, () => 0)).toBe(30_000);
    expect(retryDelayMs(20, error, { backoff }, () => 0.999999)).toBe(60_000);
  });

  it('never retries before Retry-After, even above the cap', () => {
    expect(retryDelayMs(1, new DeliveryError('429', true, 7000, 429), { backoff }, () => 0)).toBe(
      7000,
    );
    expect(
      retryDelayMs(1, new DeliveryError('429', true, 120_000, 429), { backoff }, () => 0),
    ).toBe(120_000);
  });

  it('waits at least the ambiguous minimum after a timeout of a create', () => {
    const timeout = new DeliveryError('timed out', true);
    expect(isAmbiguous(timeout)).toBe(true);
    expect(retryDelayMs(1, timeout, { backoff, ambiguousMinMs: 10_000 }, () => 0)).toBe(10_000);
    expect(
      retryDelayMs(
        1,
        new DeliveryError('500', true, undefined, 500),
        { backoff, ambiguousMinMs: 10_000 },
        () => 0,
      ),
    ).toBe(500);
  });

  it('treats unknown errors as retryable and ambiguous', () => {
    expect(isRetryable(new Error('kv timeout'))).toBe(true);
    expect(isAmbiguous(new Error('kv timeout'))).toBe(true);
    expect(isRetryable(new DeliveryError('400', false, undefined, 400))).toBe(false);
  });
});
