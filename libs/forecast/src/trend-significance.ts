import { leastSquares } from './holt.model';

export interface TrendTest {
  /** Least-squares slope per step. */
  readonly slope: number;
  /** Its standard error, inflated for autocorrelated residuals (see below). */
  readonly standard_error: number;
  /** slope / standard_error. */
  readonly t: number;
  /** Lag-1 autocorrelation of the residuals, clamped to [0, 0.95]. */
  readonly rho: number;
}

/** Beyond this the effective sample is under 3 % of the points: clamped rather than trusted. */
const MAX_RHO = 0.95;

/**
 * Whether a series rises at all, independent of Holt's state: the ordinary least-squares slope over
 * the window and its standard error. Hourly CPU has a daily cycle and slow wander, so residuals
 * are autocorrelated and the textbook SE is far too small; it is inflated by √((1+ρ)/(1−ρ))
 * (the effective sample size n·(1−ρ)/(1+ρ) of an AR(1) error), with ρ the residuals' lag-1
 * autocorrelation. Pure noise then passes a one-sided test at z ≈ 2 about 2.5 % of the time.
 */
export function trendTest(xs: readonly number[], ys: readonly number[]): TrendTest {
  const n = xs.length;
  const { slope, intercept } = leastSquares(xs, ys);
  if (n < 3) return { slope, standard_error: Infinity, t: 0, rho: 0 };
  const residuals = xs.map((x, i) => (ys[i] as number) - (intercept + slope * x));
  const sse = residuals.reduce((s, r) => s + r * r, 0);
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) * (x - mx), 0);
  let lagged = 0;
  for (let i = 1; i < n; i++) lagged += (residuals[i] as number) * (residuals[i - 1] as number);
  const rho = sse === 0 ? 0 : Math.min(MAX_RHO, Math.max(0, lagged / sse));
  const plain = sxx === 0 ? Infinity : Math.sqrt(sse / (n - 2) / sxx);
  const standardError = plain * Math.sqrt((1 + rho) / (1 - rho));
  // A perfectly straight line has SE 0: its slope is certain (t = ±∞, or 0 when flat).
  const t =
    standardError === 0 ? (slope === 0 ? 0 : Math.sign(slope) * Infinity) : slope / standardError;
  return { slope, standard_error: standardError, t, rho };
}
