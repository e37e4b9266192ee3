import { INCIDENT_ID_MAX_LENGTH } from '@opscrew/contracts';

/** One line of the audit file (and, without `incident_id`, the `audit.<agent>` event). */
export interface AuditRecord {
  /** When it was recorded (ISO-8601). */
  readonly at: string;
  readonly agent: string;
  readonly action: string;
  readonly verdict: 'allowed' | 'refused';
  readonly result: string;
  /** SHA-256 hex of the stable JSON of the entry's input: provable, never the input itself. */
  readonly input_digest: string;
  readonly incident_id?: string;
  readonly revision?: number;
}

/** Contracts' bound for `action` (an identifier). */
export const AUDIT_ACTION_MAX_LENGTH = 128;
/** Contracts' bound for `result` (a note): one line, long enough for an error message. */
export const AUDIT_RESULT_MAX_LENGTH = 2000;
/**
 * Incident ids are `INC-YYYYMMDD-NNN-EEEE` (or the older `INC-YYYYMMDD-NNN`); anything longer
 * than contracts' bound is not one. The same constant, so the epoch suffix can never be clipped.
 */
export const AUDIT_INCIDENT_ID_MAX_LENGTH = INCIDENT_ID_MAX_LENGTH;
