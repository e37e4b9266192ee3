import { type SuccessCriteriaConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';

export type CheckVerdict =
  | { readonly pass: true; readonly detail: string }
  | { readonly pass: false; readonly detail: string };

/**
 * One verification check on fresh metrics: the fix holds when the error rate
 * is below `error_rate_below` and p99 below `latency_below_ms`. No sample, or
 * no traffic to measure, proves nothing: it counts as a failed check, so a
 * service that went silent after a restart is not declared fixed.
 */
export function judgeSample(
  sample: ServiceSample | undefined,
  criteria: SuccessCriteriaConfig,
  missingReason?: string,
): CheckVerdict {
  if (!sample) return { pass: false, detail: `no metrics (${missingReason ?? 'not reported'})` };
  const errors = sample.error_rate_ratio;
  const latency = sample.latency_p99_ms;
  if (errors === null || latency === null) {
    return {
      pass: false,
      detail: `no traffic in the window (${sample.request_rate_rps.toFixed(2)} rps): nothing to verify yet`,
    };
  }
  const errorsOk = errors < criteria.error_rate_below;
  const latencyOk = latency < criteria.latency_below_ms;
  const detail =
    `error rate ${(errors * 100).toFixed(2)} % (< ${(criteria.error_rate_below * 100).toFixed(2)} %: ${errorsOk ? 'ok' : 'no'}), ` +
    `p99 ${Math.round(latency)} ms (< ${criteria.latency_below_ms} ms: ${latencyOk ? 'ok' : 'no'}) at ${sample.request_rate_rps.toFixed(1)} rps`;
  return errorsOk && latencyOk ? { pass: true, detail } : { pass: false, detail };
}
