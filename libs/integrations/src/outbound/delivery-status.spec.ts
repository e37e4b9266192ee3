import { deliveryErrorForStatus } from './delivery-status';
import { parseRetryAfterMs, RETRY_AFTER_MAX_MS } from './retry-after';

describe('HTTP status → DeliveryError', () => {
  it.each([
    [429, true],
    [503, true],
    [500, true],
    [502, true],
    [504, true],
    [408, true],
    [409, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [410, false],
    [422, false],
    [302, false],
  ])('%i retryable=%s', (status, retryable) => {
    const error = deliveryErrorForStatus('jira POST /rest/api/3/issue', status, 'detail', 2000);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.retryAfterMs).toBe(retryable ? 2000 : undefined);
    expect(error.message).toContain(`HTTP ${status}: detail`);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2025-01-31T12:00:00Z');
  it('reads seconds, fractional seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs('1.5', now)).toBe(1500);
    expect(parseRetryAfterMs(0.2345, now)).toBe(235);
    expect(parseRetryAfterMs('Fri, 31 Jan 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Fri, 31 Jan 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores garbage and caps absurd values', () => {
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
    expect(parseRetryAfterMs('999999', now)).toBe(RETRY_AFTER_MAX_MS);
  });
});
