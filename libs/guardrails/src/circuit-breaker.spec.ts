import { isBreakerOpenError } from '@opscrew/ports';
import { ManualClock } from '@opscrew/testing';
import {
  BreakerOpenError,
  CircuitBreaker,
  type BreakerLogger,
  type BreakerStateChange,
} from './circuit-breaker';

function recordingLogger(): BreakerLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log: (m) => lines.push(`log ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

const fail =
  (message = 'HTTP 503 from http://signoz:8080/api/v2/services') =>
  () =>
    Promise.reject(new Error(message));
const ok = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  let clock: ManualClock;
  let logger: ReturnType<typeof recordingLogger>;
  let breaker: CircuitBreaker;
  let changes: BreakerStateChange[];

  beforeEach(() => {
    clock = new ManualClock('2025-03-01T10:00:00.000Z');
    logger = recordingLogger();
    breaker = CircuitBreaker.fromConfig(
      'signoz',
      { failure_threshold: 3, reset_timeout_s: 60 },
      { now: clock.now, logger },
    );
    changes = [];
    breaker.onStateChange((c) => changes.push(c));
  });

  async function failTimes(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await expect(breaker.execute(fail())).rejects.toThrow('HTTP 503');
  }

  it('stays closed below the threshold and a success resets the count', async () => {
    await failTimes(2);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await failTimes(2);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('opens after 3 consecutive failures and then fails fast without calling', async () => {
    await failTimes(3);
    expect(breaker.state).toBe('open');
    const fn = jest.fn(ok);
    const error = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(BreakerOpenError);
    const open = error as BreakerOpenError;
    expect(open.breaker).toBe('signoz');
    expect(open.retryAt).toBe(clock.ms + 60_000);
    expect(open.retryAfterMs).toBe(60_000);
    expect(open.message).toContain(
      'signoz: circuit open, failing fast until 2025-03-01T10:01:00.000Z',
    );
    expect(open.message).toContain('last failure: HTTP 503');
    expect(breaker.retryAt).toBe(clock.ms + 60_000);
  });

  it('reports the opening once, however many calls fail fast', async () => {
    await failTimes(3);
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    }
    expect(changes).toEqual([
      {
        breaker: 'signoz',
        state: 'open',
        at: '2025-03-01T10:00:00.000Z',
        retry_at: '2025-03-01T10:01:00.000Z',
        reason: 'HTTP 503 from http://signoz:8080/api/v2/services',
      },
    ]);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn signoz: circuit OPEN after 3 consecutive failures (last: HTTP 503 from http://signoz:8080/api/v2/services); failing fast until 2025-03-01T10:01:00.000Z',
    ]);
  });

  it('lets one trial call through after the reset timeout and closes on success, reported once', async () => {
    await failTimes(3);
    clock.advance(59_999);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    clock.advance(1);
    let stateDuringTrial: string | undefined;
    await expect(
      breaker.execute(async () => {
        // cockatiel records the half-open state right after starting the trial call.
        await Promise.resolve();
        stateDuringTrial = breaker.state;
        return 'ok';
      }),
    ).resolves.toBe('ok');
    expect(stateDuringTrial).toBe('half_open');
    expect(breaker.state).toBe('closed');
    expect(breaker.retryAt).toBeNull();
    expect(changes.map((c) => c.state)).toEqual(['open', 'closed']);
    expect(logger.lines.filter((l) => l.startsWith('log'))).toEqual([
      'log signoz: circuit closed: trial call succeeded',
    ]);
  });

  it('a failed trial re-opens for another timeout without a second report', async () => {
    await failTimes(3);
    clock.advance(60_000);
    await expect(breaker.execute(fail('still down'))).rejects.toThrow('still down');
    expect(breaker.state).toBe('open');
    expect(breaker.retryAt).toBe(clock.ms + 60_000);
    await expect(breaker.execute(ok)).rejects.toThrow(/last failure: still down/);
    expect(changes.map((c) => c.state)).toEqual(['open']);
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toHaveLength(1);
    expect(logger.lines.some((l) => l.startsWith('debug signoz: trial call failed'))).toBe(true);

    clock.advance(60_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(changes.map((c) => c.state)).toEqual(['open', 'closed']);
  });

  it('the next outage is reported again', async () => {
    await failTimes(3);
    clock.advance(60_000);
    await breaker.execute(ok);
    await failTimes(3);
    expect(changes.map((c) => c.state)).toEqual(['open', 'closed', 'open']);
  });

  it('throwIfOpen fails fast only while the open period lasts', async () => {
    expect(() => breaker.throwIfOpen()).not.toThrow();
    await failTimes(3);
    expect(() => breaker.throwIfOpen()).toThrow(BreakerOpenError);
    clock.advance(60_000);
    expect(() => breaker.throwIfOpen()).not.toThrow();
  });

  it('concurrent calls during a failing trial fail fast instead of piling onto the source', async () => {
    await failTimes(3);
    clock.advance(60_000);
    let release: (() => void) | undefined;
    const trialFn = jest.fn(
      () =>
        new Promise<string>((_, reject) => {
          release = () => reject(new Error('trial failed'));
        }),
    );
    const trial = breaker.execute(trialFn);
    const waiting = jest.fn(ok);
    const second = breaker.execute(waiting);
    release?.();
    await expect(trial).rejects.toThrow('trial failed');
    await expect(second).rejects.toBeInstanceOf(BreakerOpenError);
    expect(waiting).not.toHaveBeenCalled();
    expect(trialFn).toHaveBeenCalledTimes(1);
  });

  it('a throwing listener does not break the call path', async () => {
    breaker.onStateChange(() => {
      throw new Error('exporter down');
    });
    await failTimes(3);
    expect(breaker.state).toBe('open');
    expect(
      logger.lines.some((l) => l.includes('breaker state listener failed: exporter down')),
    ).toBe(true);
  });

  it('unsubscribes listeners', async () => {
    const other: BreakerStateChange[] = [];
    const off = breaker.onStateChange((c) => other.push(c));
    off();
    await failTimes(3);
    expect(other).toEqual([]);
  });

  it('rejects nonsense settings', () => {
    expect(() => new CircuitBreaker('x', { failureThreshold: 0, resetTimeoutMs: 1 })).toThrow(
      'x: failure threshold must be a positive integer',
    );
    expect(() => new CircuitBreaker('x', { failureThreshold: 1, resetTimeoutMs: 0 })).toThrow(
      'x: reset timeout must be positive',
    );
  });

  it('works with real time and a short timeout', async () => {
    const real = new CircuitBreaker('scrape:cart', { failureThreshold: 1, resetTimeoutMs: 30 });
    await expect(real.execute(fail())).rejects.toThrow();
    await expect(real.execute(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    await new Promise((r) => setTimeout(r, 40));
    await expect(real.execute(ok)).resolves.toBe('ok');
    expect(real.state).toBe('closed');
  });
});

describe('BreakerOpenError and the ports', () => {
  it('is recognised by isBreakerOpenError, which the metrics adapters use without importing it', () => {
    expect(isBreakerOpenError(new BreakerOpenError('signoz', 1_700_000_000_000, 5000))).toBe(true);
  });
});
