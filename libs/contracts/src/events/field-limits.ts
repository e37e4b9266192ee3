/**
 * Shared field shapes and bounds. Every bound keeps one message well under
 * NATS' 1 MiB default max payload and keeps Discord/Jira renderings sane.
 */

/**
 * Incident ids: a per-day counter and the id store's epoch, `INC-20250131-001-7k2q` (the epoch,
 * 4 lowercase base32 characters, changes when the NATS store is reset, so a counter that starts
 * over never reuses an id). The old form without the epoch, `INC-20250131-001`, is still accepted:
 * ledgers, tickets and fixtures written before the epoch keep working.
 */
export const INCIDENT_ID_PATTERN = /^INC-\d{8}-\d{3,}(-[0-9a-z]{4})?$/;
/** How the id is written in messages: `describe:` of every incident_id field. */
export const INCIDENT_ID_FORMAT = 'INC-YYYYMMDD-NNN-EEEE';
/**
 * `INC-` + date + `-` + a counter + `-` + a 4-char epoch: 18 fixed characters and a counter of up
 * to 14 digits fit 32 — far more incidents a day than any crew opens; unchanged from the old form,
 * so every stored id and every bound derived from it (audit lines, KV keys) still fits.
 */
export const INCIDENT_ID_MAX_LENGTH = 32;

/** Service names double as KV lock keys and subject-safe labels. */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Same cap as a subject token: a service name must fit a lock key and a ticket label. */
export const SERVICE_NAME_MAX_LENGTH = 64;

/** Symptoms are snake_case tokens: `high_error_rate`, `oom_kill`, `drift_latency`. */
export const SYMPTOM_PATTERN = /^[a-z0-9]+(_[a-z0-9]+)*$/;
/** Symptoms are short names from the detector catalogue; 64 leaves room for qualifiers. */
export const SYMPTOM_MAX_LENGTH = 64;

/** Metric names carry their unit (`latency_p99_ms`); Prometheus names may contain `:`. */
export const METRIC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:]*$/;
/** Long Prometheus recording-rule names stay under 128 characters. */
export const METRIC_NAME_MAX_LENGTH = 128;

/** Fingerprint is `service + symptom` (plus optional qualifiers): 256 fits both caps and some labels. */
export const FINGERPRINT_MAX_LENGTH = 256;

/** Run ids, runbook names, scenario names, holders: identifiers, not prose; 128 fits `<agent>:<uuid>` twice over. */
export const IDENTIFIER_MAX_LENGTH = 128;

/** Free text (notes, reasons, details): long enough for a paragraph, short enough for a ticket comment. */
export const NOTE_MAX_LENGTH = 2000;

/** Short labels (versions, mentions, titles): 256 is Discord's embed title limit. */
export const LABEL_MAX_LENGTH = 256;

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** How bad a severity is: info 0 … critical 4. */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/** The worse of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}
