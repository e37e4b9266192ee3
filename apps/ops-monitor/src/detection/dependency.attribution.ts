import { type Anomaly } from './anomaly';

/** Symptoms a failing dependency causes in its callers. */
const PROPAGATING = new Set([
  'high_error_rate',
  'high_latency',
  'error_rate_drift',
  'latency_drift',
]);

/**
 * Inhibition from the dependency graph: when a service errs or slows while a
 * service it calls (`depends_on`) is itself in trouble — this cycle or within
 * the last few — the caller's anomaly is a symptom, not a cause. It is kept
 * (recorded in the ledger as `dependency_failure`, naming the culprit) but
 * informational: the culprit's incident carries the ticket, the page and the
 * remediation, and nobody restarts a healthy frontend because cart is down.
 */
export function attributeToDependencies(
  anomalies: readonly Anomaly[],
  dependsOn: (service: string) => readonly string[],
  troubled: ReadonlyMap<string, string>,
): Anomaly[] {
  return anomalies.map((anomaly) => {
    if (anomaly.informational || !PROPAGATING.has(anomaly.symptom)) return anomaly;
    const culprit = dependsOn(anomaly.service).find((dependency) => troubled.has(dependency));
    if (!culprit) return anomaly;
    return {
      ...anomaly,
      symptom: 'dependency_failure',
      informational: true,
      severity: 'info',
      detail: `${anomaly.detail} — follows ${culprit}'s ${troubled.get(culprit) ?? 'trouble'}: inhibited, ${culprit}'s incident carries the action`,
    };
  });
}
