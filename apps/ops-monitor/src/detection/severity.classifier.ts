import { type SeverityBandsConfig } from '@opscrew/config';
import { type Severity } from '@opscrew/contracts';
import { type MetricName } from './anomaly';

const ORDER = ['critical', 'high', 'medium', 'low'] as const;

/**
 * Severity from the configured bands (alerting.severity): the highest band
 * whose bound the value reaches. A threshold crossing below every band is
 * still worth a ticket, at `low`.
 */
export function classifySeverity(
  bands: SeverityBandsConfig,
  metric: MetricName,
  value: number,
): Severity {
  if (metric !== 'error_rate_ratio' && metric !== 'latency_p99_ms') return 'medium';
  for (const level of ORDER) {
    const bound = bands[level][metric];
    if (bound !== undefined && value >= bound) return level;
  }
  return 'low';
}

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

export function severityRank(severity: Severity): number {
  return RANK[severity];
}
