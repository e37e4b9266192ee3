import { type Severity } from '@opscrew/contracts';
import { type Symptom } from '@opscrew/config';

/** The metrics detection looks at, named with their units. */
export type MetricName =
  | 'error_rate_ratio'
  | 'latency_p99_ms'
  | 'request_rate_rps'
  | 'cpu_usage_percent'
  | 'memory_usage_percent';

export type DetectionRule = 'absolute' | 'relative' | 'drift';

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
}

/**
 * A physically implausible value: a unit bug, not an incident. Never alerts,
 * never becomes a baseline; reported so someone fixes the source.
 */
export interface DataQualityWarning {
  readonly service: string;
  readonly metric: MetricName;
  readonly value: number;
  readonly limit: number;
  readonly message: string;
}

export interface DetectionResult {
  readonly anomalies: readonly Anomaly[];
  readonly dataQuality: readonly DataQualityWarning[];
  /** Services that had a sample this cycle. */
  readonly checked: readonly string[];
}
