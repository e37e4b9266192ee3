import { isBreakerOpenError } from './metrics-guards.port';

describe('isBreakerOpenError', () => {
  it("recognises guardrails' BreakerOpenError by its name and retry time", () => {
    const open = Object.assign(new Error('signoz: circuit open'), {
      name: 'BreakerOpenError',
      breaker: 'signoz',
      retryAt: 1_700_000_000_000,
    });
    expect(isBreakerOpenError(open)).toBe(true);
  });

  it('refuses other errors and non-errors', () => {
    expect(isBreakerOpenError(new Error('boom'))).toBe(false);
    expect(isBreakerOpenError(Object.assign(new Error('x'), { name: 'BreakerOpenError' }))).toBe(
      false,
    );
    expect(isBreakerOpenError({ name: 'BreakerOpenError', retryAt: 1 })).toBe(false);
  });
});
