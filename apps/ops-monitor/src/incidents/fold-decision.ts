import { type FingerprintRecord, mergeImpact, mergeSymptoms } from '@opscrew/contracts';
import { maxSeverity, severityRank } from '../detection/severity.classifier';
import { correlate, symptomsOf } from './fingerprint-record';
import { type Sighting } from './sighting';

/** A peak 25 % above the last published one is news; smaller wobbles are not worth an event. */
export const MEANINGFUL_PEAK_GROWTH = 1.25;

/** What folding one more sighting into an incident makes of its index entry. */
export interface FoldDecision {
  /** The entry to write (compare-and-swap on the revision read). */
  readonly next: FingerprintRecord;
  /** Worth an `incident.updated`: a reopening, worse severity, a new peak, symptom or caller. */
  readonly meaningful: boolean;
  /** The crew had resolved the incident: the fix did not hold. */
  readonly reopen: boolean;
}

/**
 * The fold of a sighting into an incident's entry, pure: `phase` is the incident's ledger phase
 * (undefined when not asked: an unannounced incident has no ledger entry worth asking).
 */
export function decideFold(
  record: FingerprintRecord,
  anomaly: Sighting,
  now: Date,
  phase: string | undefined,
): FoldDecision {
  // A caller's symptom blamed on a restart adds the caller as impact, not a symptom of ours.
  const own = anomaly.impact && anomaly.symptom === 'dependency_failure' ? [] : [anomaly.symptom];
  const symptoms = mergeSymptoms(symptomsOf(record), own);
  const impact = anomaly.impact ? mergeImpact(record.impact, [anomaly.impact]) : record.impact;
  // Values are comparable only within one metric: another symptom's value is not a new peak.
  const sameMetric = anomaly.metric === record.metric;
  const next: FingerprintRecord = {
    ...record,
    last_seen_at: now.toISOString(),
    count: record.count + 1,
    ...(sameMetric
      ? { last_value: anomaly.value, peak_value: Math.max(record.peak_value, anomaly.value) }
      : {}),
    severity: maxSeverity(record.severity, anomaly.severity),
    symptoms,
    ...(impact ? { impact } : {}),
    ...correlate(record, anomaly.report),
  };
  // A recurrence after the crew resolved it means the fix did not hold — when it is the
  // service's own symptom. A caller's symptom blamed on it (impact) right after its restart is
  // the tail of the fault just fixed: its calls that timed out still sit in the caller's window
  // (a CI demo run reopened shipping 3 s after its verified resolution this way and ran its
  // runbook again). Were the service failing again, its own symptom would reopen it.
  const reopen = phase === 'resolved' && anomaly.impact === undefined;
  const meaningful =
    reopen ||
    severityRank(next.severity) > severityRank(record.published_severity) ||
    next.peak_value >= record.published_peak * MEANINGFUL_PEAK_GROWTH ||
    // A new symptom of the service, or a new caller hurt by it, is news for the ledger.
    symptoms.length > symptomsOf(record).length ||
    (impact?.length ?? 0) > (record.impact?.length ?? 0);
  if (meaningful) {
    next.published_peak = next.peak_value;
    next.published_severity = next.severity;
  }
  return { next, meaningful, reopen };
}
