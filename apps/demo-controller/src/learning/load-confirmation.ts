import { type AlertingConfig } from '@opscrew/config';
import { type LoadSummary, type RequiredDetection } from '@opscrew/contracts';

/**
 * The ground truth of a load run, from the load's own measurement at the
 * entry service: if the users saw a p99 (or failure ratio) beyond the entry
 * service's alerting threshold, the symptom really happened and the crew owes
 * a detection on some loaded service — whatever the scenario expected. If they
 * did not, an expected symptom stays allowed but is not owed (a small shop may
 * shrug off a stress test). The load's rate must reach the threshold set's
 * `min_request_rate_rps`, as in detection: below it ratios are noise.
 */
export function confirmedByLoad(input: {
  readonly entry_service: string;
  readonly loaded_services: readonly string[];
  readonly load: LoadSummary;
  readonly alerting: AlertingConfig;
}): RequiredDetection[] {
  const { entry_service: entry, load, alerting } = input;
  const own = alerting.services.get(entry);
  const defaults = alerting.defaults;
  const minRps = own?.min_request_rate_rps ?? defaults.min_request_rate_rps ?? 0;
  if (load.requests === 0 || load.rps < minRps) return [];
  const satisfiedBy = input.loaded_services.includes(entry)
    ? [...input.loaded_services]
    : [entry, ...input.loaded_services];
  const required: RequiredDetection[] = [];
  const latencyLimit = own?.latency_p99_ms ?? defaults.latency_p99_ms;
  const measured = load.p99_ms ?? load.p95_ms;
  if (latencyLimit !== undefined && measured >= latencyLimit)
    required.push({
      service: entry,
      symptom: 'high_latency',
      satisfied_by: satisfiedBy,
      because: `the load measured p${load.p99_ms !== undefined ? 99 : 95} ${Math.round(measured)} ms at ${entry} (threshold ${latencyLimit} ms)`,
    });
  const errorLimit = own?.error_rate_ratio ?? defaults.error_rate_ratio;
  if (errorLimit !== undefined && load.fail_ratio >= errorLimit)
    required.push({
      service: entry,
      symptom: 'high_error_rate',
      satisfied_by: satisfiedBy,
      because: `the load saw ${(load.fail_ratio * 100).toFixed(1)} % failed requests at ${entry} (threshold ${(errorLimit * 100).toFixed(1)} %)`,
    });
  return required;
}
