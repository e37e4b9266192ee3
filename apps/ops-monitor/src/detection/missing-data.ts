import { type MissingService, type ServiceSample } from '@opscrew/integrations';
import { type MissingDataWarning } from './anomaly';

/**
 * A first scrape (no window yet) or an idle service (SigNoz leaves those out) was looked at
 * and found nothing wrong: it counts as checked, and is no data-quality problem.
 */
export function isMerelyWaiting(reason: string): boolean {
  return /^(first scrape|no traffic)/i.test(reason);
}

/**
 * The missing markers of one sample as data-quality warnings: each metric the source could
 * not measure although the service had traffic (e.g. errors without any status label).
 */
export function unmeasuredWarnings(sample: ServiceSample): MissingDataWarning[] {
  return (sample.unmeasured ?? []).map(({ metric, reason }) => ({
    kind: 'missing',
    service: sample.service,
    metric,
    reason,
    message:
      `${sample.service} ${metric}: ${reason}. Missing data, never read as 0: ` +
      `no detection on ${metric} until the source exposes it` +
      (metric === 'error_rate_ratio'
        ? ' (or integrations.metrics.request_status.labels names its status label)'
        : ''),
  }));
}

/** A service with no sample at all (and not merely waiting): nothing about it is known. */
export function absentServiceWarning(missing: MissingService): MissingDataWarning | null {
  if (isMerelyWaiting(missing.reason)) return null;
  return {
    kind: 'missing',
    service: missing.service,
    metric: 'request_rate_rps',
    reason: missing.reason,
    message: `${missing.service}: no metrics this cycle (${missing.reason}): the service is not checked`,
  };
}
