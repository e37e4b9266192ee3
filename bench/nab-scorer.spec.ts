import {
  candidateThresholds,
  type CostMatrix,
  fileScore,
  probationRows,
  type Profiles,
  rowWeights,
  type RowWindow,
  scaledSigmoid,
  scoreCorpus,
  type ScoredFile,
} from './nab-scorer';

/** NAB's three profiles (bench/data/nab/profiles.json). */
const STANDARD: CostMatrix = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };
const PROFILES: Profiles = {
  standard: { CostMatrix: STANDARD },
  reward_low_FP_rate: { CostMatrix: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 } },
  reward_low_FN_rate: { CostMatrix: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 } },
};

/**
 * The hand-worked file: 40 rows, so a probation of floor(0.15 · 40) = 6 rows, and one window
 * on rows 10–14 (width 5). NAB's scaled sigmoid 2/(1 + e^(5y)) − 1 is −tanh(5y/2).
 */
const ROWS = 40;
const WINDOW: RowWindow = [10, 14];

/** Scores of 0 except the given rows. */
function scores(at: Record<number, number>): number[] {
  return Array.from({ length: ROWS }, (_, i) => at[i] ?? 0);
}

function file(rel: string, at: Record<number, number>): ScoredFile {
  return { rel, scores: scores(at), windows: [WINDOW] };
}

describe('NAB scoring (port of NAB’s rules)', () => {
  it('scaled sigmoid: 0 at 0, about 0.9866 (tanh 2.5) at −1, −1 beyond 3', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 6);
    expect(scaledSigmoid(-1)).toBeCloseTo(Math.tanh(2.5), 12);
    expect(scaledSigmoid(3)).toBeCloseTo(-0.99999939, 8);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });

  it('probation: the first 15 % of the rows, at most 750', () => {
    expect(probationRows(ROWS)).toBe(6);
    expect(probationRows(4999)).toBe(749);
    expect(probationRows(10_000)).toBe(750);
  });

  it('row weights: −fpWeight before the first window, earliness in it, a sigmoid after it', () => {
    const weights = rowWeights(ROWS, [WINDOW], STANDARD);
    expect(weights[2]).toEqual({ weight: -0.11, window: null, probation: true });
    expect(weights[8]).toEqual({ weight: -0.11, window: null, probation: false });
    // The window's first row earns the full tpWeight; its last σ(−1/5)/σ(−1) = tanh .5/tanh 2.5.
    expect(weights[10]?.weight).toBeCloseTo(1, 12);
    expect(weights[10]?.window).toBe(0);
    expect(weights[14]?.weight).toBeCloseTo(0.468387, 6);
    // Just after: σ(1/4)·0.11 = −tanh(0.625)·0.11; 13 rows after: y = 3.25 > 3, the full cost.
    expect(weights[15]?.weight).toBeCloseTo(-0.061006, 6);
    expect(weights[15]?.window).toBeNull();
    expect(weights[27]?.weight).toBe(-0.11);
  });

  it.each([
    ['no detection: the window is missed (−fnWeight)', {}, -1],
    ['a detection on the first row of the window: +tpWeight', { 10: 0.9 }, 1],
    ['only the earliest detection in a window counts', { 10: 0.9, 12: 0.9 }, 1],
    ['a late detection earns less (last row: 0.4684)', { 14: 0.9 }, 0.468387],
    ['a false positive before the window costs fpWeight', { 8: 0.9, 10: 0.9 }, 0.89],
    ['a false positive just after it costs less (−0.0610)', { 10: 0.9, 15: 0.9 }, 0.938994],
    ['detections in the probationary period are not scored', { 2: 0.9 }, -1],
    ['a score under the threshold is no detection', { 10: 0.49 }, -1],
    ['a score equal to the threshold is a detection', { 10: 0.5 }, 1],
  ])('file score, threshold 0.5: %s', (_, at, expected) => {
    const weights = rowWeights(ROWS, [WINDOW], STANDARD);
    expect(fileScore(scores(at), weights, 0.5, STANDARD)).toBeCloseTo(expected, 6);
  });

  it('normalises per profile (null detector 0, perfect 100) at the best threshold', () => {
    // Threshold 0.5 catches the window (+1) and the false positive (−fp); 0.6 only the latter.
    const report = scoreCorpus([file('a.csv', { 8: 0.6, 10: 0.5 })], PROFILES);
    expect(report.files).toBe(1);
    expect(report.windows).toBe(1);
    // standard: raw 1 − 0.11 = 0.89 → 100 · (0.89 + 1) / (1 + 1) = 94.5.
    expect(report.profiles['standard']).toEqual({
      score: 94.5,
      threshold: 0.5,
      raw: 0.89,
      per_file: { 'a.csv': 0.89 },
    });
    // low FP: 1 − 0.22 = 0.78 → 89; low FN: 0.89 against a null of −2 → 2.89 / 3 = 96.33.
    expect(report.profiles['reward_low_FP_rate']?.score).toBe(89);
    expect(report.profiles['reward_low_FN_rate']?.score).toBe(96.33);
    expect(report.profiles['reward_low_FN_rate']?.threshold).toBe(0.5);
  });

  it('scores at a given threshold instead of the best one', () => {
    // Only the false positive: −1 − 0.11 = −1.11 → 100 · (−1.11 + 1) / 2 = −5.5.
    const report = scoreCorpus([file('a.csv', { 8: 0.6, 10: 0.5 })], PROFILES, 0.6);
    expect(report.profiles['standard']).toMatchObject({ score: -5.5, threshold: 0.6, raw: -1.11 });
  });

  it('sums over the corpus: one window caught and one missed is 50', () => {
    const report = scoreCorpus([file('caught.csv', { 10: 0.9 }), file('missed.csv', {})], PROFILES);
    expect(report.windows).toBe(2);
    expect(report.profiles['standard']).toMatchObject({
      score: 50,
      raw: 0,
      per_file: { 'caught.csv': 1, 'missed.csv': -1 },
    });
  });

  it('a detector that never fires scores 0, with no threshold (0 would flag every row)', () => {
    const report = scoreCorpus([file('a.csv', {})], PROFILES);
    expect(report.profiles['standard']).toEqual({
      score: 0,
      threshold: null,
      raw: -1,
      per_file: {},
    });
  });

  it('of equal totals, the lowest threshold is kept', () => {
    // 0.5 and 0.7 both catch the window on its first row: 1 either way.
    const report = scoreCorpus([file('a.csv', { 10: 0.7, 12: 0.5 })], PROFILES);
    expect(report.profiles['standard']).toMatchObject({ score: 100, threshold: 0.5 });
  });

  it('candidates: every distinct score, or 400 evenly spaced quantiles past 400', () => {
    const few: ScoredFile = { rel: 'a.csv', scores: [0.3, 0.1, 0.3, 0.2], windows: [] };
    expect(candidateThresholds([few])).toEqual([0.1, 0.2, 0.3]);
    const many: ScoredFile = {
      rel: 'b.csv',
      scores: Array.from({ length: 1000 }, (_, i) => (999 - i) / 1000),
      windows: [],
    };
    const picked = candidateThresholds([many]);
    expect(picked).toHaveLength(400);
    expect([picked[0], picked[1], picked[399]]).toEqual([0, 0.002, 0.999]);
  });
});
