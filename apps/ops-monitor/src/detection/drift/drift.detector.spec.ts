import { seededRandom } from '@opscrew/testing';
import { type DriftRuleConfig, loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { DriftDetector, type DriftVerdict } from './drift.detector';

/** The shipped drift config: the behaviour under test is the behaviour that runs. */
const shipped: DriftRuleConfig = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config
  .thresholds.detection.drift;
const LEARNING = shipped.baseline.min_samples;
const CYCLE_MS = 15_000;

/** Normal noise from a seeded generator: the same series on every run. */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}
/** A stationary metric: level 100, noise σ 5 (e.g. a p99 latency in ms). */
function noisy(seed: number, length: number, level = 100, sigma = 5): number[] {
  const next = seededRandom(seed);
  return Array.from({ length }, () => level + sigma * gaussian(next));
}

function feed(detector: DriftDetector, values: readonly number[], from = 0): DriftVerdict[] {
  return values.map((value, i) => detector.update(value, (from + i) * CYCLE_MS));
}
const alarms = (verdicts: readonly DriftVerdict[]): number[] =>
  verdicts.flatMap((verdict, i) => (verdict.anomalous ? [i] : []));

describe('DriftDetector', () => {
  it('is learning, never anomalous, for the first min_samples values — even through a huge spike', () => {
    const values = noisy(1, LEARNING);
    values[LEARNING / 2] = 10_000;
    const verdicts = feed(new DriftDetector(shipped), values);
    expect(verdicts.every((v) => v.learning && !v.anomalous && v.score === 0)).toBe(true);
    expect(verdicts.every((v) => v.baseline === null && v.kind === 'none')).toBe(true);
    const next = new DriftDetector(shipped);
    feed(next, values);
    expect(next.update(100, 0).learning).toBe(false);
  });

  it('stays quiet on clean stationary noise after learning: under 1 alarm per 5,000 samples', () => {
    // The score is a tail probability (0.39 ≈ 1 in 8,000 per channel) and records of the
    // all-time range are novel: on 60,000 samples of pure noise a few alarms are the design.
    let total = 0;
    for (let seed = 11; seed <= 30; seed++) {
      const verdicts = feed(new DriftDetector(shipped), noisy(seed, 3000));
      total += alarms(verdicts).length;
      const last = verdicts[verdicts.length - 1];
      expect(last?.baseline).toBeCloseTo(100, -1);
      expect(Math.abs(last?.deviation ?? Infinity)).toBeLessThan(5);
    }
    expect(total).toBeLessThan(12);
  });

  it('catches a level shift of a few MADs within a few points, as a shift up', () => {
    for (const seed of [21, 22, 23, 24, 25]) {
      const detector = new DriftDetector(shipped);
      feed(detector, noisy(seed, 1000));
      // +5σ ≈ +3.4 MADs, from sample 1000 on.
      const after = feed(detector, noisy(seed + 100, 50, 125), 1000);
      const first = alarms(after)[0];
      expect(first).toBeDefined();
      expect(first).toBeLessThanOrEqual(3);
      const verdict = after[first ?? 0];
      expect(verdict?.direction).toBe('up');
      expect(verdict?.baseline).toBeCloseTo(100, -1);
    }
  });

  it('names a shift caught after it persisted a baseline_shift, here a shift down', () => {
    const detector = new DriftDetector(shipped);
    // An old incident (a dip to 20) widened the all-time range: a drop to 65 is not new territory,
    // so it is the likelihood of the recent deviations that catches it, a few samples in.
    feed(detector, [...noisy(31, 500), 20, ...noisy(32, 500)]);
    const after = feed(detector, noisy(33, 50, 65), 1001);
    const first = alarms(after)[0] ?? -1;
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(5);
    expect(after[first]).toMatchObject({ kind: 'baseline_shift', direction: 'down' });
    expect(after[first]?.deviation).toBeLessThan(-shipped.baseline.threshold_mads);
  });

  it('catches a +10 %/cycle creep, named a trend, before it reaches 2× the baseline', () => {
    const detector = new DriftDetector(shipped);
    // Noise σ 10 %: each +10 % step is within the noise; four in a row are not.
    feed(detector, noisy(41, 1000, 100, 10));
    const creep = Array.from({ length: 12 }, (_, k) => 100 * 1.1 ** (k + 1));
    const verdicts = feed(detector, creep, 1000);
    const first = alarms(verdicts)[0] ?? -1;
    expect(first).toBeGreaterThanOrEqual(0);
    expect(verdicts[first]).toMatchObject({ kind: 'trend', direction: 'up', anomalous: true });
    expect(creep[first]).toBeLessThan(200);
  });

  it('catches a smooth metric that starts to flap inside its usual range (the increments see it)', () => {
    for (const seed of [81, 82, 83, 84, 85]) {
      const next = seededRandom(seed);
      const detector = new DriftDetector(shipped);
      // A slowly wandering metric (AR(1), σ ≈ 3.2 around 100): each step moves it a little.
      let wander = 0;
      const step = (): number => (wander = 0.95 * wander + gaussian(next));
      feed(
        detector,
        Array.from({ length: 1000 }, () => 100 + step()),
      );
      // Then ±3 every other sample: every value is still within the usual range, every step is not.
      const flapping = Array.from({ length: 50 }, (_, k) => 100 + step() + (k % 2 ? 3 : -3));
      const first = alarms(feed(detector, flapping, 1000))[0];
      expect(first).toBeDefined();
      expect(first).toBeLessThanOrEqual(20);
    }
  });

  it('catches a single huge spike at once, as a spike up', () => {
    const detector = new DriftDetector(shipped);
    feed(detector, noisy(51, 1000));
    const verdict = detector.update(400, 1000 * CYCLE_MS);
    expect(verdict).toMatchObject({ anomalous: true, kind: 'spike', direction: 'up', score: 1 });
    expect(verdict.deviation).toBeGreaterThan(30);
  });

  it('raises one alarm per episode: the refractory period scores 0, then alarms are possible again', () => {
    const detector = new DriftDetector(shipped);
    feed(detector, noisy(61, 1000));
    const episode = feed(detector, [400, 420, 410, 400, 430], 1000);
    expect(alarms(episode)).toEqual([0]);
    expect(episode.slice(1).every((v) => v.score === 0 && v.kind === 'none')).toBe(true);
    const rest = feed(detector, noisy(62, shipped.refractory_samples), 1005);
    expect(alarms(rest)).toEqual([]);
    expect(detector.update(900, 2000 * CYCLE_MS).anomalous).toBe(true);
  });

  it('ignores NaN and infinite values: no verdict, no change to what it has learned', () => {
    const values = noisy(71, 800);
    const clean = new DriftDetector(shipped);
    const gappy = new DriftDetector(shipped);
    feed(clean, values.slice(0, 500));
    feed(gappy, values.slice(0, 500));
    const before = JSON.stringify(gappy.toJSON());
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expect(gappy.update(bad, 0)).toEqual({
        score: 0,
        anomalous: false,
        kind: 'none',
        direction: null,
        baseline: expect.closeTo(100, -1),
        deviation: null,
        learning: false,
      });
    }
    expect(new DriftDetector(shipped).update(Number.NaN, 0)).toMatchObject({
      anomalous: false,
      kind: 'none',
      baseline: null,
      learning: true,
    });
    expect(JSON.stringify(gappy.toJSON())).toBe(before);
    expect(feed(gappy, values.slice(500), 500)).toEqual(feed(clean, values.slice(500), 500));
  });

  it('round-trips its state through JSON and continues identically, mid-refractory too', () => {
    const original = new DriftDetector(shipped);
    feed(original, noisy(81, 700));
    expect(original.update(500, 700 * CYCLE_MS).anomalous).toBe(true); // refractory starts
    feed(original, noisy(82, 20), 701);
    const state: unknown = JSON.parse(JSON.stringify(original.toJSON()));
    const restored = DriftDetector.fromJSON(shipped, state);
    expect(restored.toJSON()).toEqual(original.toJSON());
    const next = [...noisy(83, 300), 600, ...noisy(84, 300, 130)];
    expect(feed(restored, next, 721)).toEqual(feed(original, next, 721));
  });

  it('round-trips a learned cycle: the restored detector scores the seasonal view identically', () => {
    const next = seededRandom(21);
    const cyclic = (from: number, length: number): number[] =>
      Array.from(
        { length },
        (_, t) => 100 + 40 * Math.sin((2 * Math.PI * (from + t)) / 96) + 3 * gaussian(next),
      );
    const original = new DriftDetector(shipped);
    feed(original, cyclic(0, 1600));
    const state: unknown = JSON.parse(JSON.stringify(original.toJSON()));
    expect((state as { seasonal_period: number }).seasonal_period).toBeGreaterThan(0);
    const restored = DriftDetector.fromJSON(shipped, state);
    expect(restored.toJSON()).toEqual(original.toJSON());
    const later = [...cyclic(1600, 200), ...Array.from({ length: 96 }, () => 100)];
    expect(feed(restored, later, 1600)).toEqual(feed(original, later, 1600));
  });

  it('refuses a malformed or foreign state instead of misreading it', () => {
    const good = new DriftDetector(shipped);
    feed(good, noisy(91, 200));
    const state = good.toJSON();
    expect(() => DriftDetector.fromJSON(shipped, null)).toThrow(/state must be an object/);
    expect(() => DriftDetector.fromJSON(shipped, { ...state, version: 0 })).toThrow(/version/);
    expect(() => DriftDetector.fromJSON(shipped, { ...state, baseline: [1, 'x'] })).toThrow(
      /baseline\[1\] must be a finite number/,
    );
    expect(() => DriftDetector.fromJSON(shipped, { ...state, seen: -1 })).toThrow(/seen/);
  });

  it('is scale-free: the same series in other units gives the same verdicts', () => {
    // ×1024 is exact in floating point, so every statistic scales exactly.
    const values = [...noisy(101, 1000), ...noisy(102, 40, 130), ...noisy(103, 200)];
    const scores = (scale: number) =>
      feed(
        new DriftDetector(shipped),
        values.map((v) => v * scale),
      ).map((v) => [v.score, v.kind, v.direction]);
    expect(scores(1024)).toEqual(scores(1));
    expect(scores(1 / 1024)).toEqual(scores(1));
  });

  it("learns a metric's cycle and flags a missing peak whose values are all in range", () => {
    // A daily cycle of 288 samples (5-min data), noise σ 2; on day 10 the peak does not come.
    const next = seededRandom(11);
    const cycle = 288;
    const day = (t: number): number => 50 + 30 * Math.max(0, Math.sin((2 * Math.PI * t) / cycle));
    const values = Array.from({ length: cycle * 12 }, (_, t) => day(t) + 2 * gaussian(next));
    const normal = alarms(feed(new DriftDetector(shipped), values));
    const missing = values.map((value, t) =>
      t >= cycle * 10 && t < cycle * 11 ? 50 + 2 * gaussian(next) : value,
    );
    const flagged = alarms(feed(new DriftDetector(shipped), missing));
    // The ordinary days: at most the odd borderline alarm (score 0.39) over 2,300 samples.
    expect(normal.filter((t) => t >= cycle * 4).length).toBeLessThanOrEqual(2);
    expect(flagged.some((t) => t >= cycle * 10 && t < cycle * 10 + cycle / 2)).toBe(true);
  });
});
