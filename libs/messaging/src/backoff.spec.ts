import { backoffDelay, cappedExponentialDelay } from './backoff';
import { ReconnectDelay } from './reconnect-delay';

const options = { initial_delay_ms: 100, max_delay_ms: 1_000 };

describe('backoffDelay', () => {
  it('doubles from the initial delay and caps', () => {
    const top = (): number => 0.999999;
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, options, top))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('keeps at least half of the delay (equal jitter)', () => {
    const bottom = (): number => 0;
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, bottom))).toEqual([
      50, 100, 200, 400, 500,
    ]);
  });

  it('stays within [ceiling/2, ceiling] for random jitter', () => {
    for (let attempt = 1; attempt < 50; attempt++) {
      const ceiling = cappedExponentialDelay(attempt, options);
      const delay = backoffDelay(attempt, options);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('survives huge attempt numbers and attempt 0', () => {
    expect(cappedExponentialDelay(10_000, options)).toBe(1_000);
    expect(cappedExponentialDelay(0, options)).toBe(100);
  });
});

describe('ReconnectDelay', () => {
  it('advances one attempt per elapsed delay, not per call', () => {
    let now = 0;
    const delay = new ReconnectDelay(
      options,
      () => now,
      () => 0.999999,
    );
    expect(delay.next()).toBe(100);
    now += 10;
    expect(delay.next()).toBe(100); // the client's dial loop polls while waiting
    expect(delay.attempts()).toBe(1);
    now += 100;
    expect(delay.next()).toBe(200);
    now += 200;
    expect(delay.next()).toBe(400);
    now += 400;
    expect(delay.next()).toBe(800);
    now += 800;
    expect(delay.next()).toBe(1000);
    now += 1000;
    expect(delay.next()).toBe(1000);
    expect(delay.attempts()).toBe(6);
  });

  it('starts over after a reconnect', () => {
    let now = 0;
    const delay = new ReconnectDelay(
      options,
      () => now,
      () => 0.999999,
    );
    delay.next();
    now += 100;
    delay.next();
    delay.reset();
    expect(delay.attempts()).toBe(0);
    expect(delay.next()).toBe(100);
  });
});
