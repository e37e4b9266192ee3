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

// The ranking is the bus vocabulary's (libs/contracts); re-exported for the detection code.
export { maxSeverity, severityRank } from '@opscrew/contracts';
