/**
 * Holt's linear trend (double exponential smoothing) on an evenly spaced series, written in its
 * error-correction form (the ETS(A,A,N) state space model of Hyndman et al., "Forecasting with
 * Exponential Smoothing", 2008):
 *
 *   ŷ(t) = ℓ + b                    one-step forecast
 *   e    = y(t) − ŷ(t)
 *   ℓ'   = ℓ + b + α·e
 *   b'   = b + α·β·e                 (β is the trend's smoothing share β* of the textbook form)
 *
 * A missing step (null: no sample in that bucket) advances the state without correcting it
 * (ℓ' = ℓ + b, b' = b): the state space model's treatment of a gap, so gaps neither pull the
 * level to 0 nor stretch the time axis.
 */

export interface HoltParameters {
  /** Level smoothing, 0 < α < 1. */
  readonly alpha: number;
  /** Trend smoothing as a share of α (β*), 0 < β < 1. */
  readonly beta: number;
}

export interface HoltFit extends HoltParameters {
  /** State after the last step. */
  readonly level: number;
  /** Change per step after the last step. */
  readonly trend: number;
  /** Residual standard deviation of the one-step-ahead errors (σ). */
  readonly sigma: number;
  /** Sum of squared one-step-ahead errors. */
  readonly sse: number;
  /** Sum of squared `lead`-step-ahead errors (what the grid minimises; see fitHolt). */
  readonly lead_sse: number;
  /** One-step errors counted (non-missing steps after the first). */
  readonly errors: number;
}

/**
 * The grid α × β the fit searches. One-step SSE on hourly data favours small α on noise (the level
 * becomes a long mean) and small β on a steady trend; the coarse values above 0.3 let a series
 * that really moves fast be followed. 7 × 7 fits of ≤ 1,500 points: well under a millisecond each.
 */
export const HOLT_ALPHA_GRID = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8] as const;
export const HOLT_BETA_GRID = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2] as const;

/** Runs the recursion with fixed parameters. Needs ≥ 3 non-missing values. */
export function holtRun(
  values: readonly (number | null)[],
  params: HoltParameters,
  lead = 1,
  start: LineFit = initialState(values),
): HoltFit {
  const { alpha, beta } = params;
  if (!(alpha > 0 && alpha < 1) || !(beta > 0 && beta < 1))
    throw new RangeError(`holt: alpha and beta must be in (0, 1), got ${alpha}, ${beta}`);
  const first = values.findIndex((v) => v !== null);
  const present = values.filter((v) => v !== null).length;
  if (first < 0 || present < 3)
    throw new RangeError(`holt: needs at least 3 values, got ${present}`);
  let level = start.intercept + start.slope * first;
  let trend = start.slope;
  let sse = 0;
  let errors = 0;
  let leadSse = 0;
  // The forecast made `lead` steps earlier for each step (a ring of the last `lead` states).
  const made = new Float64Array(values.length).fill(Number.NaN);
  for (let t = first + 1; t < values.length; t++) {
    const y = values[t];
    const forecast = level + trend;
    if (t - 1 + lead < values.length) made[t - 1 + lead] = level + trend * lead;
    const early = made[t] ?? Number.NaN;
    if (!Number.isNaN(early) && y !== null && y !== undefined) leadSse += (y - early) ** 2;
    if (y === null || y === undefined) {
      level = forecast;
      continue;
    }
    const error = y - forecast;
    sse += error * error;
    errors++;
    level = forecast + alpha * error;
    trend = trend + alpha * beta * error;
  }
  // Two states were estimated: the σ of the errors is taken with two degrees of freedom off.
  const sigma = Math.sqrt(sse / Math.max(1, errors - 2));
  return { alpha, beta, level, trend, sigma, sse, lead_sse: leadSse, errors };
}

/**
 * The (α, β) of the grid with the least `lead`-step-ahead SSE; ties keep the smoother pair.
 *
 * Why not the textbook one-step SSE: one step ahead (an hour) the trend term is tiny next to
 * the noise, so one-step SSE barely depends on β and picks trends that swing with the last
 * few hours (measured: on a 1.2 %/day line with σ 3 noise it estimated anything from −0.1 to
 * 1.4 %/day). Forecasts here are read days to weeks ahead, so the caller chooses the parameters
 * for that lead (capacity-forecast.ts: a week, at most a quarter of the series): a jittery
 * trend costs there, a steady one pays.
 */
export function fitHolt(values: readonly (number | null)[], lead = 1): HoltFit {
  let best: HoltFit | null = null;
  const start = initialState(values);
  for (const alpha of HOLT_ALPHA_GRID) {
    for (const beta of HOLT_BETA_GRID) {
      const fit = holtRun(values, { alpha, beta }, lead, start);
      if (best === null || fit.lead_sse < best.lead_sse) best = fit;
    }
  }
  return best as HoltFit;
}

/**
 * σ²ₕ / σ², the h-step forecast variance of ETS(A,A,N) relative to the one-step one
 * (Hyndman et al. 2008, table 6.1, class 1): with cⱼ = α + αβ·j,
 *
 *   σ²ₕ = σ² · [1 + Σⱼ₌₁..ₕ₋₁ cⱼ²]
 *       = σ² · [1 + (h−1)·(α² + α·B·h + B²·h(2h−1)/6)],   B = α·β
 *
 * It grows like h³ through the trend term: an uncertain trend spreads the far forecast widely,
 * which is what keeps a noisy series from a confident crossing months out.
 */
export function holtVarianceFactor(h: number, params: HoltParameters): number {
  if (h < 1) return 1;
  const a = params.alpha;
  const b = params.alpha * params.beta;
  return 1 + (h - 1) * (a * a + a * b * h + (b * b * h * (2 * h - 1)) / 6);
}

/**
 * The starting state: the least-squares line through the whole series, taken at its first
 * point. Why not the first day's slope (the common shortcut): with small smoothing constants the
 * recursion forgets its start slowly, and a day of noisy hourly points gives a slope off by
 * several %/day (measured: σ 3 noise, slope error ±2 %/day), which the final trend still carried.
 */
function initialState(values: readonly (number | null)[]): LineFit {
  const xs: number[] = [];
  const ys: number[] = [];
  values.forEach((y, t) => {
    if (y === null) return;
    xs.push(t);
    ys.push(y);
  });
  return leastSquares(xs, ys);
}

export interface LineFit {
  readonly slope: number;
  readonly intercept: number;
}

export function leastSquares(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = xs.length;
  if (n === 0) return { slope: 0, intercept: 0 };
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    sxy += dx * ((ys[i] as number) - my);
    sxx += dx * dx;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
