import { type IncidentImpact, type Severity } from '@opscrew/contracts';
import { type Symptom } from '@opscrew/config';

/** The metrics detection looks at, named with their units. */
export type MetricName =
  | 'error_rate_ratio'
  | 'latency_p99_ms'
  | 'request_rate_rps'
  | 'cpu_usage_percent'
  | 'memory_usage_percent';

/** `dependency`: a caller's symptom attached to the dependency that explains it (its culprit). */
export type DetectionRule = 'absolute' | 'relative' | 'drift' | 'dependency';

/** Something wrong with one service in one cycle. */
export interface Anomaly {
  readonly service: string;
  readonly symptom: Symptom;
  readonly rule: DetectionRule;
  readonly metric: MetricName;
  readonly value: number;
  /** The bound that was crossed (absolute), the previous value × factor (relative), or the baseline (drift). */
  readonly threshold?: number;
  readonly severity: Severity;
  /** The service was locked for deliberate work: recorded, never ticketed or remediated. */
  readonly informational: boolean;
  /** One human sentence: what was seen against what. */
  readonly detail: string;
  /** Rule `dependency`: the caller and its symptom, recorded as the culprit incident's impact. */
  readonly impact?: IncidentImpact;
}

/**
 * Something wrong with the data, not with the service: never an incident, never a
 * baseline; reported (`report.data-quality`, `/quality`) so someone fixes the source.
 */
export type DataQualityWarning = ImplausibleValueWarning | MissingDataWarning;

/** A physically implausible value: a unit bug in the source (µs read as ms, % as a ratio). */
export interface ImplausibleValueWarning {
  readonly kind: 'implausible';
  readonly service: string;
  readonly metric: MetricName;
  readonly value: number;
  readonly limit: number;
  readonly message: string;
}

/**
 * A metric that could not be measured although it should have been: a service with traffic
 * but no status label (errors unknown), or no series at all. Missing is not healthy: the
 * metric is null for detection, never a 0.
 */
export interface MissingDataWarning {
  readonly kind: 'missing';
  readonly service: string;
  /** `request_rate_rps` when the service had no sample at all (nothing could be measured). */
  readonly metric: MetricName;
  /** The source's words: which series, which labels were looked for. */
  readonly reason: string;
  readonly message: string;
}

export interface DetectionResult {
  readonly anomalies: readonly Anomaly[];
  readonly dataQuality: readonly DataQualityWarning[];
  /** Services that had a sample this cycle. */
  readonly checked: readonly string[];
}
