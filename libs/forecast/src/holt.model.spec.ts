import { fitHolt, holtRun, holtVarianceFactor } from './holt.model';
import { centralZ, normalQuantile } from './probit';
import { trendTest } from './trend-significance';

describe('Holt linear trend', () => {
  it('recovers level and trend of a straight line exactly', () => {
    const fit = fitHolt(Array.from({ length: 100 }, (_, t) => 5 + 0.5 * t));
    expect(fit.level).toBeCloseTo(5 + 0.5 * 99, 6);
    expect(fit.trend).toBeCloseTo(0.5, 6);
    expect(fit.sigma).toBeCloseTo(0, 6);
  });

  it('steps over missing values with the trend', () => {
    const values = Array.from({ length: 50 }, (_, t) => (t % 3 === 0 ? null : 2 * t));
    const fit = fitHolt(values);
    expect(fit.level).toBeCloseTo(98, 6);
    expect(fit.trend).toBeCloseTo(2, 6);
  });

  it('picks the least one-step SSE of the grid', () => {
    const values = Array.from({ length: 60 }, (_, t) => Math.sin(t / 3) * 10 + t);
    const best = fitHolt(values);
    expect(holtRun(values, { alpha: 0.5, beta: 0.5 }).sse).toBeGreaterThanOrEqual(best.sse);
    expect(holtRun(values, { alpha: 0.02, beta: 0.001 }).sse).toBeGreaterThanOrEqual(best.sse);
  });

  it('refuses fewer than 3 values and parameters outside (0, 1)', () => {
    expect(() => holtRun([1, null, 2], { alpha: 0.1, beta: 0.1 })).toThrow('at least 3 values');
    expect(() => holtRun([1, 2, 3], { alpha: 1, beta: 0.1 })).toThrow('alpha and beta');
  });

  it('widens the interval with the horizon, h = 1 being the one-step σ', () => {
    const params = { alpha: 0.2, beta: 0.1 };
    expect(holtVarianceFactor(1, params)).toBe(1);
    let previous = 1;
    for (let h = 2; h < 500; h++) {
      const factor = holtVarianceFactor(h, params);
      expect(factor).toBeGreaterThan(previous);
      previous = factor;
    }
    // The closed form equals the sum 1 + Σ (α + αβ j)².
    const sum =
      1 + Array.from({ length: 9 }, (_, i) => (0.2 + 0.02 * (i + 1)) ** 2).reduce((a, b) => a + b);
    expect(holtVarianceFactor(10, params)).toBeCloseTo(sum, 10);
  });
});

describe('normal quantile', () => {
  it('matches known values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(centralZ(0.9)).toBeCloseTo(1.644854, 5);
    expect(() => centralZ(1)).toThrow('interval ratio must be in (0, 1)');
  });
});

describe('trend test', () => {
  it('is certain of a straight line and unsure of a flat one', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    expect(
      trendTest(
        xs,
        xs.map((x) => 2 * x),
      ).t,
    ).toBe(Infinity);
    expect(
      trendTest(
        xs,
        xs.map(() => 4),
      ).t,
    ).toBe(0);
  });

  it('inflates the standard error for autocorrelated residuals', () => {
    const xs = Array.from({ length: 200 }, (_, i) => i);
    const wavy = trendTest(
      xs,
      xs.map((x) => Math.sin(x / 10)),
    );
    expect(wavy.rho).toBeGreaterThan(0.9);
  });
});
