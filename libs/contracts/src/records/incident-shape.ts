import { severityRank } from '../events/field-limits';
import {
  type IncidentImpact,
  INCIDENT_IMPACT_MAX,
  INCIDENT_SYMPTOMS_MAX,
} from '../events/incident.events';

/**
 * The symptoms an incident keeps, with `more` folded in: first seen first (the first is the
 * primary symptom), no duplicates, bounded — the newest are dropped past the bound, never the
 * primary. Order-insensitive for the same inputs, so a redelivered or reordered update never
 * changes the result: the fingerprint index and the ledger merge the same way.
 */
export function mergeSymptoms(
  current: readonly string[] | undefined,
  more: readonly string[],
): string[] {
  const merged = [...(current ?? [])];
  for (const symptom of more) {
    if (merged.length >= INCIDENT_SYMPTOMS_MAX) break;
    if (!merged.includes(symptom)) merged.push(symptom);
  }
  return merged;
}

/**
 * Impact entries merged by caller and symptom: the worst severity and peak, the first and last
 * sighting; the most recently seen kept past the bound. Idempotent and order-insensitive.
 */
export function mergeImpact(
  current: readonly IncidentImpact[] | undefined,
  more: readonly IncidentImpact[],
): IncidentImpact[] {
  const byKey = new Map<string, IncidentImpact>();
  for (const entry of [...(current ?? []), ...more]) {
    const key = `${entry.service}:${entry.symptom}`;
    const seen = byKey.get(key);
    byKey.set(
      key,
      seen
        ? {
            service: entry.service,
            symptom: entry.symptom,
            severity:
              severityRank(entry.severity) > severityRank(seen.severity)
                ? entry.severity
                : seen.severity,
            peak_value: Math.max(seen.peak_value, entry.peak_value),
            first_seen_at:
              entry.first_seen_at < seen.first_seen_at ? entry.first_seen_at : seen.first_seen_at,
            last_seen_at:
              entry.last_seen_at > seen.last_seen_at ? entry.last_seen_at : seen.last_seen_at,
          }
        : { ...entry },
    );
  }
  const merged = [...byKey.values()].sort(
    (a, b) =>
      a.last_seen_at.localeCompare(b.last_seen_at) ||
      `${a.service}:${a.symptom}`.localeCompare(`${b.service}:${b.symptom}`),
  );
  return merged.length > INCIDENT_IMPACT_MAX
    ? merged.slice(merged.length - INCIDENT_IMPACT_MAX)
    : merged;
}
