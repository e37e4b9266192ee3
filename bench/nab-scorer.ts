/**
 * The Numenta Anomaly Benchmark's scoring rules (github.com/numenta/NAB, MIT), ported so that
 * `npm run bench:nab` needs nothing outside the repository:
 *
 * - a detection is a row whose anomaly score is ≥ the threshold;
 * - inside a labelled window only the earliest detection counts, worth
 *   tpWeight·σ(−(right − i + 1)/width)/σ(−1) (1·tpWeight at the window's first row, less later);
 *   a window without any detection costs fnWeight;
 * - a detection outside every window costs fpWeight before the first window, and
 *   fpWeight·σ(|i − right of the last window| / (its width − 1)) after one (σ < 0 there: a
 *   detection just after a window costs little, one far away the full fpWeight);
 * - rows of the probationary period (the first 15 %, at most 750) are not scored;
 * - σ is NAB's scaled sigmoid, 2/(1 + e^(5y)) − 1, and −1 beyond y = 3;
 * - the raw total is normalised so that the null detector scores 0 and the perfect one 100:
 *   100·(raw − null)/(perfect − null) with perfect = tpWeight·windows, null = −fnWeight·windows;
 * - without a given threshold, the one that maximises each profile's raw total over the whole
 *   corpus is chosen, as NAB's optimiser does (every distinct score is a candidate; past 400
 *   of them, 400 evenly spaced quantiles).
 */

/** One profile's weights (NAB's `profiles.json`: `{name: {CostMatrix: …}}`). */
export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

export type Profiles = Readonly<Record<string, { readonly CostMatrix: CostMatrix }>>;

/** A labelled window as row indices, both ends included. */
export type RowWindow = readonly [first: number, last: number];

/** One data file's detector scores (one per row) and its windows, in order, not overlapping. */
export interface ScoredFile {
  /** Path under the corpus's `data/` folder, e.g. `realAWSCloudwatch/grok_asg_anomaly.csv`. */
  rel: string;
  scores: readonly number[];
  windows: readonly RowWindow[];
}

/** What a detection on one row would earn, and where the row lies. */
export interface RowWeight {
  weight: number;
  /** Index of the window the row is in; null outside every window. */
  window: number | null;
  /** In the probationary period: never scored. */
  probation: boolean;
}

export interface ProfileScore {
  /** Normalised: 0 = the null detector, 100 = perfect; two decimals. */
  score: number;
  /** The threshold used; null when no candidate was above 0. */
  threshold: number | null;
  /** The raw total; four decimals. */
  raw: number;
  /** Raw score per file at that threshold; four decimals. */
  per_file: Record<string, number>;
}

/** The report's JSON shape, the same as an external scorer's (`bench:nab -- --scorer FILE`). */
export interface NabReport {
  files: number;
  windows: number;
  profiles: Record<string, ProfileScore>;
}

/** NAB: the probationary period is 15 % of the file, capped at 5000 × 0.15 rows. */
const PROBATION_FRACTION = 0.15;
const PROBATION_MAX_ROWS = 750;
/** Past this many distinct scores, this many quantiles are tried (NAB's optimiser searches too). */
const MAX_CANDIDATES = 400;

/** NAB's scaled sigmoid: 1 at y → −∞, 0 at y = 0, −1 from y > 3 on. */
export function scaledSigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

export function probationRows(rows: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * rows), PROBATION_MAX_ROWS);
}

/** The weight of a detection on each row of a file with `rows` rows and these windows. */
export function rowWeights(
  rows: number,
  windows: readonly RowWindow[],
  cost: CostMatrix,
): RowWeight[] {
  const probation = probationRows(rows);
  const maxTp = scaledSigmoid(-1);
  const out: RowWeight[] = [];
  let current: { first: number; last: number; index: number } | null = null;
  let previous: { last: number; width: number } | null = null;
  let next = 0;
  for (let i = 0; i < rows; i++) {
    const upcoming = windows[next];
    if (upcoming !== undefined && i === upcoming[0]) {
      current = { first: upcoming[0], last: upcoming[1], index: next };
      next += 1;
    }
    let weight: number;
    if (current !== null) {
      const width = current.last - current.first + 1;
      weight = (scaledSigmoid(-(current.last - i + 1) / width) * cost.tpWeight) / maxTp;
    } else if (previous === null) {
      weight = -cost.fpWeight;
    } else {
      // A one-row window divides by zero: Infinity, i.e. the full false-positive cost.
      weight = scaledSigmoid(Math.abs(previous.last - i) / (previous.width - 1)) * cost.fpWeight;
    }
    out.push({ weight, window: current?.index ?? null, probation: i < probation });
    if (current !== null && i === current.last) {
      previous = { last: i, width: current.last - current.first + 1 };
      current = null;
    }
  }
  return out;
}

/** A file's raw score at a threshold: each window's best detection (or −fnWeight), plus FPs. */
export function fileScore(
  scores: readonly number[],
  weights: readonly RowWeight[],
  threshold: number,
  cost: CostMatrix,
): number {
  // Windows in the order their first scored row appears, as the Python tool sums them.
  const perWindow = new Map<number, number>();
  for (const row of weights) {
    if (!row.probation && row.window !== null && !perWindow.has(row.window)) {
      perWindow.set(row.window, -cost.fnWeight);
    }
  }
  let falsePositives = 0;
  for (let i = 0; i < weights.length; i++) {
    const row = weights[i];
    const score = scores[i];
    if (row === undefined || score === undefined || row.probation || score < threshold) continue;
    if (row.window === null) falsePositives += row.weight;
    else perWindow.set(row.window, Math.max(perWindow.get(row.window) ?? -Infinity, row.weight));
  }
  let total = 0;
  for (const value of perWindow.values()) total += value;
  return total + falsePositives;
}

/** Every distinct score, ascending; past MAX_CANDIDATES, that many evenly spaced quantiles. */
export function candidateThresholds(files: readonly ScoredFile[]): number[] {
  const distinct = [...new Set(files.flatMap((file) => file.scores))].sort((a, b) => a - b);
  if (distinct.length <= MAX_CANDIDATES) return distinct;
  const picked: number[] = [];
  for (let i = 0; i < MAX_CANDIDATES; i++) {
    const at = distinct[Math.trunc((i * (distinct.length - 1)) / (MAX_CANDIDATES - 1))];
    if (at !== undefined) picked.push(at);
  }
  return picked;
}

/** Python's round(x, digits) for the values reported here (exact ties are no concern). */
function roundTo(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/**
 * Scores a corpus under every profile: at `threshold` when given (any value, 0 included),
 * else at the threshold above 0 that maximises each profile's raw total (the first of equals).
 */
export function scoreCorpus(
  files: readonly ScoredFile[],
  profiles: Profiles,
  threshold?: number,
): NabReport {
  const windows = files.reduce((sum, file) => sum + file.windows.length, 0);
  const candidates = threshold === undefined ? candidateThresholds(files) : [threshold];
  const report: NabReport = { files: files.length, windows, profiles: {} };
  for (const [name, profile] of Object.entries(profiles)) {
    const cost = profile.CostMatrix;
    const weights = files.map((file) => rowWeights(file.scores.length, file.windows, cost));
    let best: { threshold: number; total: number; perFile: Map<string, number> } | null = null;
    for (const candidate of candidates) {
      // A threshold of 0 flags every row: never the optimiser's pick.
      if (candidate <= 0 && threshold === undefined) continue;
      const perFile = new Map<string, number>();
      let total = 0;
      files.forEach((file, i) => {
        const value = fileScore(file.scores, weights[i] ?? [], candidate, cost);
        perFile.set(file.rel, value);
        total += value;
      });
      if (best === null || total > best.total) best = { threshold: candidate, total, perFile };
    }
    const perfect = cost.tpWeight * windows;
    const nullScore = -cost.fnWeight * windows;
    const raw = best?.total ?? nullScore;
    report.profiles[name] = {
      score: roundTo((100 * (raw - nullScore)) / (perfect - nullScore), 2),
      threshold: best?.threshold ?? null,
      raw: roundTo(raw, 4),
      per_file: Object.fromEntries(
        [...(best?.perFile ?? new Map<string, number>())].map(([rel, value]) => [
          rel,
          roundTo(value, 4),
        ]),
      ),
    };
  }
  return report;
}
