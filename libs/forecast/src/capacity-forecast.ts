import { evenlySpaced, type HistoryPoint } from './history-buckets';
import { fitHolt, type HoltFit, holtVarianceFactor } from './holt.model';
import { centralZ } from './probit';
import { trendTest } from './trend-significance';

/** The metrics a capacity history keeps, named as the metrics port names them. */
export const CAPACITY_METRICS = [
  'cpu_usage_percent',
  'memory_usage_percent',
  'request_rate_rps',
] as const;
export type CapacityMetric = (typeof CAPACITY_METRICS)[number];

export function isCapacityMetric(value: string): value is CapacityMetric {
  return (CAPACITY_METRICS as readonly string[]).includes(value);
}

/** The days a forecast is quoted at (besides the threshold crossing). */
export const FORECAST_DAYS = [7, 14, 30] as const;

/**
 * One-sided z a trend must reach before a crossing is predicted (≈ 97.5 %): on pure noise the
 * least-squares slope passes it about one time in forty, and then Holt's own trend must agree.
 */
export const TREND_SIGNIFICANCE_Z = 1.96;

/** Crossings are searched up to a year ahead; a later one is "not within a year". */
const SCAN_DAYS = 365;

export interface ForecastOptions {
  /** Bucket size of the history in seconds (3,600: hourly). */
  readonly bucket_s: number;
  /** Fewer points than this: insufficient data. */
  readonly min_points: number;
  /** A shorter span (first to last bucket end) than this: insufficient data. */
  readonly min_span_hours: number;
  /** Crossings later than this are reported as beyond the horizon, not as findings. */
  readonly horizon_days: number;
  /** Central share of the prediction interval (0.9: the 5 %–95 % band). */
  readonly interval_ratio: number;
  /** The trend test looks at the most recent this many days (a recent change counts). */
  readonly trend_window_days: number;
  /** The level a metric must not reach (90 % CPU, a capacity in rps), null: trend only. */
  readonly threshold: number | null;
  /** Epoch seconds the forecast is for: horizons and crossings count from here. */
  readonly now_s: number;
}

export interface ForecastPoint {
  readonly days: number;
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface ThresholdCrossing {
  /** Days from now until the point forecast reaches the threshold. */
  readonly in_days: number;
  /** When the interval's upper edge reaches it (the earliest plausible crossing). */
  readonly earliest_days: number;
  /** When the interval's lower edge reaches it; null: not within a year at this uncertainty. */
  readonly latest_days: number | null;
  readonly at: string;
}

export type ForecastVerdict =
  | 'insufficient_data'
  | 'crossing'
  | 'beyond_horizon'
  | 'no_crossing'
  | 'above_threshold'
  | 'trend_only';

interface ForecastBase {
  readonly service: string;
  readonly metric: CapacityMetric;
  /** Points (buckets with samples) in the history. */
  readonly points: number;
  /** Hours from the first bucket's start to the last bucket's end. */
  readonly span_hours: number;
  readonly threshold: number | null;
  /** One sentence for a human. */
  readonly sentence: string;
}

export interface InsufficientForecast extends ForecastBase {
  readonly verdict: 'insufficient_data';
  readonly reason: string;
}

export interface MetricForecast extends ForecastBase {
  readonly verdict: Exclude<ForecastVerdict, 'insufficient_data'>;
  /** Why there is no crossing (flat, declining, not significant), when there is none. */
  readonly reason: string | null;
  /** The smoothed level now. */
  readonly level: number;
  readonly trend_per_day: number;
  /** Whether the recent least-squares slope is significantly above 0 (one-sided z ≥ 1.96). */
  readonly trend_significant: boolean;
  readonly trend_z: number;
  readonly model: { readonly alpha: number; readonly beta: number; readonly sigma: number };
  readonly as_of: string;
  readonly forecasts: readonly ForecastPoint[];
  readonly crossing: ThresholdCrossing | null;
}

export type CapacityForecast = InsufficientForecast | MetricForecast;

/**
 * The forecast of one metric of one service from its history. Refuses to guess: too few points
 * or too short a span is `insufficient_data`; a crossing is predicted only when the recent
 * least-squares slope is significantly positive AND Holt's trend is positive; otherwise the
 * verdict says why there is none.
 */
export function forecastMetric(
  service: string,
  metric: CapacityMetric,
  history: readonly HistoryPoint[],
  options: ForecastOptions,
): CapacityForecast {
  checkOptions(options);
  const bucketH = options.bucket_s / 3600;
  const sorted = [...history].sort((a, b) => a.start_s - b.start_s);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const span = first && last ? (last.start_s + options.bucket_s - first.start_s) / 3600 : 0;
  const base = { service, metric, points: sorted.length, span_hours: round(span, 1) };
  const threshold = options.threshold;
  const minHours = options.min_points * bucketH;
  if (first === undefined || last === undefined || sorted.length < options.min_points) {
    const reason = `insufficient data: have ${round(sorted.length * bucketH, 1)} h, need ${round(minHours, 1)} h`;
    return insufficient(base, threshold, reason);
  }
  if (span < options.min_span_hours) {
    const reason = `insufficient data: have ${round(span, 1)} h of span, need ${options.min_span_hours} h`;
    return insufficient(base, threshold, reason);
  }

  const series = evenlySpaced(sorted, options.bucket_s);
  const stepsPerDay = 86_400 / options.bucket_s;
  // Fitted for a day ahead (at most half the series, so a 1-day history still scores).
  const fit = fitHolt(
    series,
    Math.max(1, Math.min(Math.round(7 * stepsPerDay), Math.floor(series.length / 4))),
  );
  // Steps from the last bucket to now (a history not written for a while is projected forward).
  const lastEnd = last.start_s + options.bucket_s;
  const offset = Math.max(0, (options.now_s - lastEnd) / options.bucket_s);
  const z = centralZ(options.interval_ratio);
  const at = (h: number): ForecastPoint => {
    const value = fit.level + fit.trend * h;
    const spread = z * fit.sigma * Math.sqrt(holtVarianceFactor(h, fit));
    return { days: 0, value, low: value - spread, high: value + spread };
  };
  const ceiling = metric === 'request_rate_rps' ? Infinity : 100;
  const clamp = (v: number): number => round(Math.min(ceiling, Math.max(0, v)), 2);
  const forecasts = FORECAST_DAYS.map((days) => {
    const p = at(offset + days * stepsPerDay);
    return { days, value: clamp(p.value), low: clamp(p.low), high: clamp(p.high) };
  });

  const window = trendWindow(sorted, options);
  const test = trendTest(window.xs, window.ys);
  const significant = test.t >= TREND_SIGNIFICANCE_Z && fit.trend > 0;
  const levelNow = fit.level + fit.trend * offset;
  const common = {
    ...base,
    threshold,
    level: round(levelNow, 2),
    trend_per_day: round(fit.trend * stepsPerDay, 3),
    trend_significant: significant,
    trend_z: round(Number.isFinite(test.t) ? test.t : Math.sign(test.t) * 99, 2),
    model: { alpha: fit.alpha, beta: fit.beta, sigma: round(fit.sigma, 3) },
    as_of: new Date(lastEnd * 1000).toISOString(),
    forecasts,
  };
  const label = { service, metric, threshold };

  if (threshold === null) {
    const result = { ...common, verdict: 'trend_only' as const, reason: null, crossing: null };
    return { ...result, sentence: sentenceOf(label, result) };
  }
  if (levelNow >= threshold) {
    const result = { ...common, verdict: 'above_threshold' as const, reason: null, crossing: null };
    return { ...result, sentence: sentenceOf(label, result) };
  }
  if (!significant) {
    const reason =
      fit.trend <= 0 || test.slope <= 0
        ? 'flat or declining'
        : `no significant upward trend (z ${common.trend_z} < ${TREND_SIGNIFICANCE_Z})`;
    const result = { ...common, verdict: 'no_crossing' as const, reason, crossing: null };
    return { ...result, sentence: sentenceOf(label, result) };
  }
  const crossing = crossingOf(fit, threshold, z, offset, stepsPerDay, options.now_s);
  if (crossing === null) {
    const reason = `not within ${SCAN_DAYS} days`;
    const result = { ...common, verdict: 'beyond_horizon' as const, reason, crossing: null };
    return { ...result, sentence: sentenceOf(label, result) };
  }
  const verdict = crossing.in_days <= options.horizon_days ? 'crossing' : 'beyond_horizon';
  const result = {
    ...common,
    verdict,
    reason: verdict === 'crossing' ? null : `beyond the ${options.horizon_days}-day horizon`,
    crossing,
  } as const;
  return { ...result, sentence: sentenceOf(label, result) };
}

/**
 * When the point forecast, the interval's upper edge and its lower edge first reach the
 * threshold, in days from now; null when the point forecast does not within SCAN_DAYS.
 */
function crossingOf(
  fit: HoltFit,
  threshold: number,
  z: number,
  offset: number,
  stepsPerDay: number,
  nowS: number,
): ThresholdCrossing | null {
  const stepsFromLast = Math.ceil((threshold - fit.level) / fit.trend);
  const scanSteps = Math.ceil(offset + SCAN_DAYS * stepsPerDay);
  if (stepsFromLast > scanSteps) return null;
  const edge = (h: number, sign: 1 | -1): number =>
    fit.level + fit.trend * h + sign * z * fit.sigma * Math.sqrt(holtVarianceFactor(h, fit));
  let earliest = stepsFromLast;
  for (let h = Math.ceil(offset) || 1; h <= stepsFromLast; h++) {
    if (edge(h, 1) >= threshold) {
      earliest = h;
      break;
    }
  }
  let latest: number | null = null;
  for (let h = stepsFromLast; h <= scanSteps; h++) {
    if (edge(h, -1) >= threshold) {
      latest = h;
      break;
    }
  }
  const days = (h: number): number => round(Math.max(0, h - offset) / stepsPerDay, 1);
  return {
    in_days: days(stepsFromLast),
    earliest_days: days(earliest),
    latest_days: latest === null ? null : days(latest),
    at: new Date((nowS + ((stepsFromLast - offset) / stepsPerDay) * 86_400) * 1000).toISOString(),
  };
}

/** The points of the last trend_window_days, as (step, value). */
function trendWindow(
  sorted: readonly HistoryPoint[],
  options: ForecastOptions,
): { xs: number[]; ys: number[] } {
  const last = sorted[sorted.length - 1] as HistoryPoint;
  const from = last.start_s - options.trend_window_days * 86_400;
  const recent = sorted.filter((p) => p.start_s > from);
  return {
    xs: recent.map((p) => p.start_s / options.bucket_s),
    ys: recent.map((p) => p.mean),
  };
}

function insufficient(
  base: Pick<InsufficientForecast, 'service' | 'metric' | 'points' | 'span_hours'>,
  threshold: number | null,
  reason: string,
): InsufficientForecast {
  return {
    ...base,
    threshold,
    verdict: 'insufficient_data',
    reason,
    sentence: `${base.service} ${METRIC_LABELS[base.metric]}: ${reason}`,
  };
}

const METRIC_LABELS: Record<CapacityMetric, string> = {
  cpu_usage_percent: 'CPU',
  memory_usage_percent: 'memory',
  request_rate_rps: 'request rate',
};

/** `42 %`, `12.3 rps`. */
export function formatValue(metric: CapacityMetric, value: number): string {
  return metric === 'request_rate_rps'
    ? `${round(value, value < 10 ? 2 : 1)} rps`
    : `${round(value, 1)} %`;
}

/** `~12 days`, `~20 hours`. */
function formatDays(days: number): string {
  return days < 2 ? `~${Math.max(1, Math.round(days * 24))} hours` : `~${Math.round(days)} days`;
}

function bandDays(days: number): string {
  return days < 2 ? `${round(days, 1)}` : `${Math.round(days)}`;
}

/** The finding as one sentence: "cart CPU reaches 90 % in ~12 days (8–17) at the current trend". */
function sentenceOf(
  label: { service: string; metric: CapacityMetric; threshold: number | null },
  result: Pick<MetricForecast, 'verdict' | 'reason' | 'level' | 'trend_per_day' | 'crossing'>,
): string {
  const name = `${label.service} ${METRIC_LABELS[label.metric]}`;
  const now = formatValue(label.metric, result.level);
  const perDay = `${result.trend_per_day >= 0 ? '+' : ''}${formatValue(label.metric, result.trend_per_day)}/day`;
  const limit = label.threshold === null ? '' : formatValue(label.metric, label.threshold);
  switch (result.verdict) {
    case 'trend_only':
      return `${name}: ${now} now, ${perDay} (no capacity configured, so no threshold to reach)`;
    case 'above_threshold':
      return `${name} is at ${now}, already at or above ${limit}`;
    case 'no_crossing':
      return `${name}: no crossing of ${limit} at the current trend (${result.reason ?? 'flat'}; ${now} now)`;
    case 'beyond_horizon': {
      const c = result.crossing;
      return c === null
        ? `${name}: ${now} now, ${perDay}; ${limit} not reached within a year at the current trend`
        : `${name}: ${now} now, ${perDay}; reaches ${limit} in ${formatDays(c.in_days)}, ${result.reason ?? 'beyond the horizon'}`;
    }
    case 'crossing': {
      const c = result.crossing as ThresholdCrossing;
      const band = `${bandDays(c.earliest_days)}–${c.latest_days === null ? `over ${SCAN_DAYS}` : bandDays(c.latest_days)}`;
      return `${name} reaches ${limit} in ${formatDays(c.in_days)} (${band}) at the current trend`;
    }
  }
}

function checkOptions(options: ForecastOptions): void {
  const positive: (keyof ForecastOptions)[] = [
    'bucket_s',
    'min_points',
    'min_span_hours',
    'horizon_days',
    'trend_window_days',
  ];
  for (const key of positive) {
    const value = options[key];
    if (typeof value !== 'number' || !(value > 0))
      throw new RangeError(`forecast: ${key} must be a number > 0, got ${String(value)}`);
  }
  if (options.min_points < 3) throw new RangeError('forecast: min_points must be at least 3');
  if (!(options.interval_ratio > 0 && options.interval_ratio < 1))
    throw new RangeError(
      `forecast: interval_ratio must be in (0, 1), got ${options.interval_ratio}`,
    );
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
