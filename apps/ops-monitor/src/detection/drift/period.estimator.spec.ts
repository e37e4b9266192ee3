import { seededRandom } from '@opscrew/testing';
import { PeriodEstimator } from './period.estimator';

function learnAll(estimator: PeriodEstimator, values: readonly number[]): void {
  for (const value of values) estimator.learn(value);
}

describe('PeriodEstimator', () => {
  it('finds a cycle of 288 samples in noisy data, from the data alone', () => {
    const next = seededRandom(3);
    const estimator = new PeriodEstimator(1000, 0.5);
    learnAll(
      estimator,
      Array.from(
        { length: 2000 },
        (_, t) => 50 + 20 * Math.sin((2 * Math.PI * t) / 288) + 5 * next(),
      ),
    );
    expect(Math.abs(estimator.period - 288)).toBeLessThanOrEqual(4);
  });

  it('finds a short cycle at full resolution (40 samples)', () => {
    const estimator = new PeriodEstimator(1000, 0.5);
    learnAll(
      estimator,
      Array.from({ length: 1500 }, (_, t) => (t % 40 < 10 ? 100 : 10)),
    );
    expect(estimator.period).toBe(40);
  });

  it('stays at 0 on noise, on a trend and on a random walk: no peak, no cycle', () => {
    const next = seededRandom(5);
    const noise = new PeriodEstimator(1000, 0.3);
    learnAll(
      noise,
      Array.from({ length: 3000 }, () => next()),
    );
    expect(noise.period).toBe(0);
    const trend = new PeriodEstimator(1000, 0.3);
    learnAll(
      trend,
      Array.from({ length: 3000 }, (_, t) => t + next()),
    );
    expect(trend.period).toBe(0);
    const walk = new PeriodEstimator(1000, 0.3);
    let level = 0;
    learnAll(
      walk,
      Array.from({ length: 3000 }, () => (level += next() - 0.5)),
    );
    expect(walk.period).toBe(0);
  });

  it('reads values back by lag and restores from its JSON', () => {
    const estimator = new PeriodEstimator(100, 0.5);
    learnAll(estimator, [1, 2, 3]);
    expect([estimator.ago(1), estimator.ago(3), estimator.ago(4)]).toEqual([3, 1, Number.NaN]);
    const restored = new PeriodEstimator(100, 0.5, estimator.toJSON());
    expect(restored.toJSON()).toEqual(estimator.toJSON());
  });
});
