import { type SuccessCriteriaConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';

/**
 * A check's verdict. `inconclusive`: nothing to judge (no sample yet, no traffic in the window,
 * a metric the source cannot measure) — neither a pass nor a failure of the fix.
 */
export type CheckVerdict =
  | { readonly pass: true; readonly detail: string }
  | { readonly pass: false; readonly inconclusive?: true; readonly detail: string };

/**
 * One verification check on fresh metrics: the fix holds when the error rate
 * is below `error_rate_below` and p99 below `latency_below_ms`. No sample, or
 * no traffic to measure, or a metric the source cannot measure, proves nothing:
 * never a pass (a service that went silent after a restart, or whose errors
 * nobody can see, is not declared fixed), and not a failure of the fix either —
 * it is inconclusive, and the caller decides how long it waits for evidence.
 */
export function judgeSample(
  sample: ServiceSample | undefined,
  criteria: SuccessCriteriaConfig,
  missingReason?: string,
): CheckVerdict {
  if (!sample)
    return {
      pass: false,
      inconclusive: true,
      detail: `no metrics (${missingReason ?? 'not reported'})`,
    };
  const errors = sample.error_rate_ratio;
  const latency = sample.latency_p99_ms;
  // Traffic, but a metric the source cannot measure (no status label…): proves nothing either.
  const unmeasured = (sample.unmeasured ?? []).filter(
    ({ metric }) => (metric === 'error_rate_ratio' ? errors : latency) === null,
  );
  if (unmeasured.length > 0) {
    return {
      pass: false,
      inconclusive: true,
      detail: `cannot verify: ${unmeasured.map((u) => `${u.metric} ${u.reason}`).join('; ')}`,
    };
  }
  if (errors === null || latency === null) {
    return {
      pass: false,
      inconclusive: true,
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
