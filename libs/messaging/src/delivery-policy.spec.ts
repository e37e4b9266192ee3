import { DEFAULT_RETRY_BACKOFF, settle } from './delivery-policy';
import { PermanentError, TransientError } from './handler-errors';

describe('settle', () => {
  it('acks a handler that returned', () => {
    expect(settle({ ok: true }, 1, 10)).toEqual({ action: 'ack' });
    expect(settle({ ok: true }, 10, 10)).toEqual({ action: 'ack' });
  });

  it('naks a transient failure with backoff by delivery count', () => {
    const err = new TransientError('jira down');
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => settle({ ok: false, error: err }, n, 10))).toEqual(
      [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000].map((delay_ms) => ({
        action: 'nak',
        delay_ms,
        reason: 'handler failed transiently: jira down',
      })),
    );
  });

  it('honours a TransientError retry hint', () => {
    expect(
      settle({ ok: false, error: new TransientError('rate limited', 12_345) }, 1, 10),
    ).toMatchObject({
      action: 'nak',
      delay_ms: 12_345,
    });
  });

  it('treats unknown errors as transient', () => {
    expect(settle({ ok: false, error: new Error('boom') }, 1, 10)).toEqual({
      action: 'nak',
      delay_ms: DEFAULT_RETRY_BACKOFF.initial_delay_ms,
      reason: 'handler failed with an unexpected error: boom',
    });
    expect(settle({ ok: false, error: 'a string' }, 2, 10)).toMatchObject({
      action: 'nak',
      delay_ms: 2_000,
    });
  });

  it('dead-letters a permanent failure at once', () => {
    expect(settle({ ok: false, error: new PermanentError('no runbook') }, 1, 10)).toEqual({
      action: 'deadletter',
      kind: 'permanent',
      reason: 'handler failed permanently: no runbook',
    });
  });

  it('dead-letters at the last allowed delivery, so nothing is silently lost', () => {
    expect(settle({ ok: false, error: new TransientError('still down') }, 10, 10)).toEqual({
      action: 'deadletter',
      kind: 'max_deliveries',
      reason: 'gave up after 10 deliveries (max_deliver 10); last failure transiently: still down',
    });
    expect(settle({ ok: false, error: new TransientError('x') }, 9, 10).action).toBe('nak');
  });

  it('never gives up when max_deliver is unlimited', () => {
    expect(settle({ ok: false, error: new Error('x') }, 1_000, -1).action).toBe('nak');
  });

  it('uses custom retry options', () => {
    expect(
      settle({ ok: false, error: new Error('x') }, 3, 10, {
        initial_delay_ms: 10,
        max_delay_ms: 25,
      }),
    ).toMatchObject({
      delay_ms: 25,
    });
  });
});
