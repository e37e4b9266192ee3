import { normalUpperTail } from './normal-tail';

describe('normalUpperTail', () => {
  it('matches tabulated normal tail probabilities, relatively, far into the tail', () => {
    const table: [number, number][] = [
      [0, 0.5],
      [1, 0.158655253931457],
      [1.959963984540054, 0.025],
      [3, 0.00134989803163009],
      [5, 2.86651571879194e-7],
      [8, 6.22096057427178e-16],
    ];
    for (const [z, p] of table) {
      expect(Math.abs(normalUpperTail(z) - p) / p).toBeLessThan(2e-7);
    }
  });

  it('is symmetric: P(Z > −z) = 1 − P(Z > z), and NaN stays NaN', () => {
    expect(normalUpperTail(-1)).toBeCloseTo(1 - 0.158655253931457, 7);
    expect(normalUpperTail(Number.NaN)).toBeNaN();
  });
});
