import { type AnomalyLikelihoodState } from './anomaly-likelihood';
import { type PeriodState } from './period.estimator';
import { type RangeState } from './range.tracker';
import { type TrendState } from './trend.tracker';

/** Bump when the shape changes: an old state is then refused, not misread. */
export const DRIFT_STATE_VERSION = 3;

/** A detector's learned state as plain JSON (what is persisted in KV). */
export interface DriftState {
  readonly version: typeof DRIFT_STATE_VERSION;
  /** Finite values learned so far. */
  readonly seen: number;
  /** Samples still to pass unscored after the last alarm. */
  readonly quiet_left: number;
  /** The baseline window, oldest first. */
  readonly baseline: number[];
  /** Signed robust z of the last short window, oldest first (to tell a shift from a spike). */
  readonly recent_z: number[];
  readonly likelihood: AnomalyLikelihoodState;
  readonly trend: TrendState;
  readonly range: RangeState;
  /** The last finite value (for the increments); null before the first. */
  readonly previous: number | null;
  /** The increments' baseline window, oldest first. */
  readonly increments: number[];
  readonly increment_likelihood: AnomalyLikelihoodState;
  /** The history the cycle is learned from, and the cycle found. */
  readonly period: PeriodState;
  /** The cycle the seasonal differences were taken over; 0 while there is none. */
  readonly seasonal_period: number;
  /** The seasonal differences' window, oldest first. */
  readonly seasonal_diffs: number[];
  readonly seasonal_likelihood: AnomalyLikelihoodState;
}

/** Checks an untrusted (persisted) value and returns it typed, or throws saying what is wrong. */
export function parseDriftState(input: unknown): DriftState {
  const state = record(input, 'state');
  if (state.version !== DRIFT_STATE_VERSION) {
    throw new Error(
      `drift state: version ${JSON.stringify(state.version)} is not ${DRIFT_STATE_VERSION}`,
    );
  }
  const trend = record(state.trend, 'trend');
  const range = record(state.range, 'range');
  const period = record(state.period, 'period');
  return {
    version: DRIFT_STATE_VERSION,
    seen: count(state.seen, 'seen'),
    quiet_left: count(state.quiet_left, 'quiet_left'),
    baseline: finiteList(state.baseline, 'baseline'),
    recent_z: finiteList(state.recent_z, 'recent_z'),
    likelihood: likelihoodState(state.likelihood, 'likelihood'),
    trend: {
      previous: trend.previous === null ? null : finite(trend.previous, 'trend.previous'),
      run: count(trend.run, 'trend.run'),
    },
    range: {
      min: range.min === null ? null : finite(range.min, 'range.min'),
      max: range.max === null ? null : finite(range.max, 'range.max'),
    },
    previous: state.previous === null ? null : finite(state.previous, 'previous'),
    increments: finiteList(state.increments, 'increments'),
    increment_likelihood: likelihoodState(state.increment_likelihood, 'increment_likelihood'),
    period: {
      history: finiteList(period.history, 'period.history'),
      period: count(period.period, 'period.period'),
      since: count(period.since, 'period.since'),
    },
    seasonal_period: count(state.seasonal_period, 'seasonal_period'),
    seasonal_diffs: finiteList(state.seasonal_diffs, 'seasonal_diffs'),
    seasonal_likelihood: likelihoodState(state.seasonal_likelihood, 'seasonal_likelihood'),
  };
}

function likelihoodState(value: unknown, name: string): AnomalyLikelihoodState {
  const likelihood = record(value, name);
  return {
    recent: finiteList(likelihood.recent, `${name}.recent`),
    historyCount: count(likelihood.historyCount, `${name}.historyCount`),
    historyMean: finite(likelihood.historyMean, `${name}.historyMean`),
    historyVariance: finite(likelihood.historyVariance, `${name}.historyVariance`),
  };
}

function record(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`drift state: ${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`drift state: ${name} must be a finite number`);
  }
  return value;
}

function count(value: unknown, name: string): number {
  const number = finite(value, name);
  if (!Number.isInteger(number) || number < 0) {
    throw new Error(`drift state: ${name} must be an integer ≥ 0`);
  }
  return number;
}

function finiteList(value: unknown, name: string): number[] {
  if (!Array.isArray(value)) throw new Error(`drift state: ${name} must be a list of numbers`);
  return value.map((item: unknown, index) => finite(item, `${name}[${index}]`));
}
