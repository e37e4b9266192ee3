import {
  type AlertingConfig,
  type DetectionConfig,
  type ThresholdSetConfig,
} from '@opscrew/config';
import { type PairTally, type ScorecardRecord } from '@opscrew/contracts';

/**
 * One occurrence is an anecdote: a suggestion needs at least two false
 * positives (or two misses) of the same service and symptom.
 */
export const MIN_EVIDENCE = 2;
/**
 * Steps small enough for a human to accept without a second thought and big
 * enough to matter; repeated suggestions converge on the right value.
 */
export const RAISE_FACTOR = 1.25;
export const LOWER_FACTOR = 0.8;

export type SuggestionDirection = 'raise' | 'lower' | 'review';

export interface ThresholdSuggestion {
  readonly service: string;
  readonly symptom: string;
  readonly direction: SuggestionDirection;
  /** Dotted config path to change, or null when no single threshold decides this symptom. */
  readonly setting: string | null;
  readonly current: number | null;
  readonly suggested: number | null;
  readonly evidence: {
    readonly true_positives: number;
    readonly false_positives: number;
    readonly missed: number;
  };
  readonly reason: string;
}

type ThresholdKey =
  'error_rate_ratio' | 'latency_p99_ms' | 'cpu_usage_percent' | 'memory_usage_percent';

/** The absolute threshold deciding each symptom (alerting.json5). */
const SYMPTOM_THRESHOLDS: Readonly<Record<string, ThresholdKey>> = {
  high_error_rate: 'error_rate_ratio',
  high_latency: 'latency_p99_ms',
  high_cpu: 'cpu_usage_percent',
  high_memory: 'memory_usage_percent',
};
/** Drift has no per-service threshold: its one knob is the score threshold (detection.json5). */
const DRIFT_SYMPTOMS = new Set(['error_rate_drift', 'latency_drift']);

/**
 * Threshold suggestions from the scorecard, per (service, symptom), each with
 * its evidence — for a human to review; never applied by anyone:
 *
 * - raise when false positives dominate: at least MIN_EVIDENCE of them, more
 *   than misses, and at least as many as right alerts (half or more of this
 *   pair's alerts were wrong);
 * - lower when misses dominate: at least MIN_EVIDENCE, more than false
 *   positives, at least as many as right alerts;
 * - a symptom no single threshold decides (crash, OOM, traffic drop…) gets
 *   `review` with the same evidence.
 *
 * Nothing is suggested before `minSamples` scored runs (the seed's 10).
 */
export function suggestThresholds(
  scorecard: ScorecardRecord,
  config: { readonly alerting: AlertingConfig; readonly detection?: DetectionConfig },
  minSamples: number,
): ThresholdSuggestion[] {
  if (scorecard.runs < minSamples) return [];
  const suggestions: ThresholdSuggestion[] = [];
  for (const pair of scorecard.pairs) {
    const direction = directionOf(pair);
    if (direction === null) continue;
    suggestions.push(suggestion(pair, direction, config));
  }
  return suggestions.sort(
    (a, b) =>
      b.evidence.false_positives +
      b.evidence.missed -
      (a.evidence.false_positives + a.evidence.missed),
  );
}

function directionOf(pair: PairTally): 'raise' | 'lower' | null {
  const { true_positives: tp, false_positives: fp, missed } = pair;
  if (fp >= MIN_EVIDENCE && fp > missed && fp >= tp) return 'raise';
  if (missed >= MIN_EVIDENCE && missed > fp && missed >= tp) return 'lower';
  return null;
}

function suggestion(
  pair: PairTally,
  direction: 'raise' | 'lower',
  config: { readonly alerting: AlertingConfig; readonly detection?: DetectionConfig },
): ThresholdSuggestion {
  const evidence = {
    true_positives: pair.true_positives,
    false_positives: pair.false_positives,
    missed: pair.missed,
  };
  const counted =
    direction === 'raise'
      ? `${pair.false_positives} false positive(s) against ${pair.true_positives} right alert(s)`
      : `${pair.missed} missed against ${pair.true_positives} right alert(s)`;
  const key = SYMPTOM_THRESHOLDS[pair.symptom];
  if (key !== undefined) {
    const own: ThresholdSetConfig | undefined = config.alerting.services.get(pair.service);
    const current = own?.[key] ?? config.alerting.defaults[key] ?? null;
    const suggested = current === null ? null : step(key, current, direction);
    const origin =
      own?.[key] !== undefined ? '' : ' (from the defaults: add a per-service override)';
    return {
      service: pair.service,
      symptom: pair.symptom,
      direction,
      setting: `thresholds.alerting.services.${pair.service}.${key}`,
      current,
      suggested,
      evidence,
      reason: `${direction} ${key} of ${pair.service}${origin}: ${counted}`,
    };
  }
  if (DRIFT_SYMPTOMS.has(pair.symptom) && config.detection) {
    const current = config.detection.drift.score_threshold;
    return {
      service: pair.service,
      symptom: pair.symptom,
      direction,
      setting: 'thresholds.detection.drift.score_threshold',
      current,
      suggested: round(
        Math.min(1, current * (direction === 'raise' ? RAISE_FACTOR : LOWER_FACTOR)),
        3,
      ),
      evidence,
      reason: `${direction} the drift score threshold (shared by every service): ${pair.service} ${pair.symptom}: ${counted}`,
    };
  }
  return {
    service: pair.service,
    symptom: pair.symptom,
    direction: 'review',
    setting: null,
    current: null,
    suggested: null,
    evidence,
    reason: `review the ${pair.symptom} detector for ${pair.service} (no single threshold decides it): ${counted}`,
  };
}

function step(key: ThresholdKey, current: number, direction: 'raise' | 'lower'): number {
  const value = current * (direction === 'raise' ? RAISE_FACTOR : LOWER_FACTOR);
  switch (key) {
    case 'error_rate_ratio':
      return round(Math.min(1, value), 4);
    case 'latency_p99_ms':
      // Tens of milliseconds are below what a p99 threshold can tell apart.
      return Math.max(10, Math.round(value / 10) * 10);
    default:
      return round(Math.min(100, value), 1);
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
