import { eventually } from './eventually';

describe('eventually', () => {
  const saved = process.env['OPSCREW_TEST_TIME_FACTOR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['OPSCREW_TEST_TIME_FACTOR'];
    else process.env['OPSCREW_TEST_TIME_FACTOR'] = saved;
  });

  it('returns once the check holds', async () => {
    let calls = 0;
    await eventually(() => ++calls >= 3, 1000, 1);
    expect(calls).toBe(3);
  });

  it('gives up after the scaled deadline, saying how it was scaled', async () => {
    process.env['OPSCREW_TEST_TIME_FACTOR'] = '2';
    const started = Date.now();
    await expect(eventually(() => false, 20, 5)).rejects.toThrow(
      'condition not met within 40 ms (20 ms × load factor 2.00)',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });
});
