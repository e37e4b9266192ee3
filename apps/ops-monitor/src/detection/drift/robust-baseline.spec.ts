import { MIN_BASELINE_SAMPLES, RobustBaseline } from './robust-baseline';

describe('RobustBaseline', () => {
  it('reads nothing until it holds enough samples for a median and MAD', () => {
    const baseline = new RobustBaseline(50, 0.01);
    for (let i = 0; i < MIN_BASELINE_SAMPLES - 1; i++) baseline.learn(10 + (i % 2));
    expect(baseline.read(10)).toBeNull();
    expect(baseline.level()).toBeNull();
    baseline.learn(10);
    expect(baseline.read(10)).not.toBeNull();
  });

  it('gives a robust z in σ units that one outlier in the window does not move', () => {
    const usual = [8, 9, 10, 11, 12, 9, 10, 11, 10, 10];
    const baseline = new RobustBaseline(40, 0.01, [...usual, ...usual, ...usual, ...usual]);
    const before = baseline.read(14);
    baseline.learn(10_000); // an outlier enters the window
    const after = baseline.read(14);
    expect(before?.median).toBe(10);
    // MAD = 1 → σ ≈ 1.4826: 14 is 4 / 1.4826 ≈ 2.7σ above.
    expect(before?.z).toBeCloseTo(4 / 1.4826, 6);
    expect(after?.median).toBe(10);
    expect(after?.z).toBeCloseTo(4 / 1.4826, 6);
  });

  it('floors the noise at a share of the level when the metric is quantised (MAD 0)', () => {
    const baseline = new RobustBaseline(100, 0.01, Array<number>(60).fill(0.066));
    const reading = baseline.read(0.068);
    expect(reading?.scale).toBeCloseTo(0.00066, 9);
    expect(reading?.z).toBeCloseTo(0.002 / 0.00066, 6);
  });

  it('reads any change off a perfectly flat zero as an infinite deviation, and no change as 0', () => {
    const baseline = new RobustBaseline(100, 0.01, Array<number>(20).fill(0));
    expect(baseline.read(0)?.z).toBe(0);
    expect(baseline.read(3)?.z).toBe(Infinity);
    expect(baseline.read(-3)?.z).toBe(-Infinity);
  });
});
