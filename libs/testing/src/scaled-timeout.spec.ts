import { jestTimeout, scaledTimeout, testTimeFactor, workDeadline, workMs } from './scaled-timeout';

describe('scaledTimeout and workDeadline', () => {
  it('stretch by OPSCREW_TEST_TIME_FACTOR when set', () => {
    const env = { OPSCREW_TEST_TIME_FACTOR: '2.5' };
    expect(testTimeFactor(env)).toBe(2.5);
    expect(scaledTimeout(1000, env)).toBe(2500);
    expect(workDeadline({ items: 300, perItemMs: 100, baseMs: 5000 }, env)).toBe(87_500);
  });

  it('without the variable: the load per core, never below 1 nor above 4', () => {
    const factor = testTimeFactor({});
    expect(factor).toBeGreaterThanOrEqual(1);
    expect(factor).toBeLessThanOrEqual(4);
    expect(scaledTimeout(1000, {})).toBeGreaterThanOrEqual(1000);
  });

  it('refuse bad input, naming it', () => {
    expect(() => testTimeFactor({ OPSCREW_TEST_TIME_FACTOR: 'fast' })).toThrow(
      /OPSCREW_TEST_TIME_FACTOR: "fast" must be a number >= 1/,
    );
    expect(() => scaledTimeout(0, {})).toThrow(/scaledTimeout: 0 ms/);
    expect(() => workDeadline({ items: -1, perItemMs: 10 }, {})).toThrow(/workMs: items -1/);
  });

  it('jestTimeout: room above the scaled waits, so a wait fails first with its message', () => {
    expect(jestTimeout(1000, {})).toBeGreaterThanOrEqual(2000);
    expect(jestTimeout(1000, {})).toBeLessThanOrEqual(4000);
    expect(jestTimeout(1000, { OPSCREW_TEST_TIME_FACTOR: '6' })).toBe(6000);
    expect(workMs({ items: 3, perItemMs: 100, baseMs: 50 })).toBe(350);
  });
});
