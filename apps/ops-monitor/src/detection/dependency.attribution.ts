import { maxSeverity } from '@opscrew/contracts';
import { percent } from './absolute.rule';
import { type Anomaly } from './anomaly';
import { type Culprit, type CulpritFinder } from './culprit.finder';

/** Symptoms a failing dependency causes in its callers. */
const PROPAGATING = new Set([
  'high_error_rate',
  'high_latency',
  'error_rate_drift',
  'latency_drift',
]);

/**
 * Blame from the dependency graph: when a service errs or slows while a service it calls
 * (followed to the root) is in trouble, the caller's anomaly is a symptom of that service's
 * fault, not a fault of its own. It becomes a sighting of the culprit's incident carrying the
 * caller as impact: the culprit's incident gets the ticket, the page and the remediation (with
 * this sentence as the evidence for the choice), and nobody restarts a healthy checkout because
 * shipping is slow. A culprit locked for deliberate work keeps it informational; one the crew is
 * restarting adds no severity (its callers' errors are the restart, not news).
 */
/** Whether a symptom can be a dependency's fault showing in its caller (errors, latency). */
export function propagates(anomaly: Anomaly): boolean {
  return PROPAGATING.has(anomaly.symptom);
}

export function attributeToDependencies(
  anomalies: readonly Anomaly[],
  finder: CulpritFinder,
  locked: ReadonlySet<string>,
  at: string,
): Anomaly[] {
  return anomalies.map((anomaly) => {
    if (anomaly.informational || !propagates(anomaly)) return anomaly;
    const culprit = finder.find(anomaly.service);
    return culprit ? impactOn(culprit, anomaly, locked.has(culprit.service), at) : anomaly;
  });
}

function impactOn(culprit: Culprit, caller: Anomaly, locked: boolean, at: string): Anomaly {
  const { trouble } = culprit;
  const restarting = trouble.kind === 'restarting';
  const severity = locked || restarting ? 'info' : maxSeverity(trouble.severity, caller.severity);
  return {
    service: culprit.service,
    symptom: trouble.symptom,
    rule: 'dependency',
    metric: trouble.metric ?? caller.metric,
    value: trouble.value ?? caller.value,
    ...(trouble.baseline !== undefined ? { threshold: trouble.baseline } : {}),
    severity,
    informational: locked,
    detail:
      `${caller.service} ${caller.symptom} (${caller.detail}) is explained by ${culprit.service}` +
      `${culprit.path.length > 2 ? ` (through ${culprit.path.slice(1, -1).join(' → ')})` : ''}: ` +
      `${trouble.why}`,
    impact: {
      service: caller.service,
      symptom: caller.symptom,
      severity: caller.severity,
      peak_value: caller.value,
      first_seen_at: at,
      last_seen_at: at,
    },
  };
}

/** `p99 1800 ms, 90× its usual 20 ms` / `error rate 12.0 %, 40× its usual 0.3 %`. */
export function elevationWhy(
  metric: 'latency_p99_ms' | 'error_rate_ratio',
  value: number,
  usual: number,
): string {
  const factor = usual > 0 ? value / usual : 0;
  const ratio = usual > 0 ? `${factor < 10 ? factor.toFixed(1) : Math.round(factor)}× ` : '';
  return metric === 'latency_p99_ms'
    ? `its p99 is ${Math.round(value)} ms, ${ratio}its usual ${Math.round(usual)} ms`
    : `its error rate is ${percent(value)}, ${ratio}its usual ${percent(usual)}`;
}
