import { seededRandom } from '@opscrew/testing';
import { AnomalyLikelihood } from './anomaly-likelihood';

/** Robust z-scores of a calm metric: small, varied deviations. */
const calm = (i: number): number => Math.sin(i * 1.7) * 1.2;

describe('AnomalyLikelihood', () => {
  it('maps |z| to a surprise in 0..1 that saturates far from the baseline', () => {
    const likelihood = new AnomalyLikelihood(3, 10, 1000);
    expect(likelihood.surprise(0)).toBe(0);
    expect(likelihood.surprise(-3)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(likelihood.surprise(Infinity)).toBe(1);
  });

  it('scores a deviation high on a calm metric and low on a metric that is always that spiky', () => {
    const quiet = new AnomalyLikelihood(3, 10, 1000);
    const spiky = new AnomalyLikelihood(3, 10, 1000);
    const next = seededRandom(3);
    for (let i = 0; i < 1000; i++) {
      quiet.update(calm(i));
      spiky.update(next() < 0.2 ? 12 : calm(i)); // one sample in five is a spike
    }
    expect(quiet.update(12)).toBeGreaterThan(0.5);
    expect(spiky.update(12)).toBeLessThan(0.1);
  });

  it('continues identically after a JSON round trip', () => {
    const original = new AnomalyLikelihood(3, 10, 500);
    for (let i = 0; i < 700; i++) original.update(calm(i));
    const state = original.toJSON();
    const copy = new AnomalyLikelihood(
      3,
      10,
      500,
      JSON.parse(JSON.stringify(state)) as typeof state,
    );
    for (let i = 700; i < 900; i++) {
      const z = i % 37 === 0 ? 9 : calm(i);
      expect(copy.update(z)).toBe(original.update(z));
    }
  });
});
