import { INCIDENT_ID_MAX_LENGTH, INCIDENT_ID_PATTERN } from '@opscrew/contracts';

/**
 * Incident ids `INC-YYYYMMDD-NNN-EEEE`: the UTC day, that day's counter and the id store's epoch
 * (see IncidentIdAllocator in libs/messaging, which owns the counter and the epoch in KV). Only
 * the text is here: how an id is written and read back, with no store and no clock.
 */

/** Crockford base32, lowercase: no i, l, o, u — an epoch reads unambiguously aloud. */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const EPOCH_CHARS = 4;
/** 32⁴ ≈ 1 M epochs: two resets of one store colliding on one day is a one-in-a-million event. */
export const INCIDENT_EPOCH_SPACE = CROCKFORD.length ** EPOCH_CHARS;
/** The counter is padded to three digits; a busier day just has longer ids. */
const SEQUENCE_DIGITS = 3;

/** The 4-character rendering of an epoch number (0 ≤ epoch < INCIDENT_EPOCH_SPACE). */
export function formatEpoch(epoch: number): string {
  let out = '';
  let rest = epoch;
  for (let i = 0; i < EPOCH_CHARS; i++) {
    out = (CROCKFORD[rest % CROCKFORD.length] ?? '0') + out;
    rest = Math.floor(rest / CROCKFORD.length);
  }
  return out;
}

/** The UTC day of `at` as ids write it (`YYYYMMDD`): the counter of that day numbers the id. */
export function incidentDay(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}

/** The id of the `sequence`-th incident of `day` (`YYYYMMDD`) under the store's `epoch`. */
export function formatIncidentId(day: string, sequence: number, epoch: number): string {
  return `INC-${day}-${String(sequence).padStart(SEQUENCE_DIGITS, '0')}-${formatEpoch(epoch)}`;
}

/** The parts of an incident id; `epoch` null for the older `INC-YYYYMMDD-NNN` form. */
export interface ParsedIncidentId {
  readonly day: string;
  readonly sequence: number;
  readonly epoch: string | null;
}

/**
 * An id read back into its parts, or null when it is not an incident id (the same check as every
 * `incident_id` field of the contracts: INCIDENT_ID_PATTERN within INCIDENT_ID_MAX_LENGTH).
 */
export function parseIncidentId(id: string): ParsedIncidentId | null {
  if (id.length > INCIDENT_ID_MAX_LENGTH || !INCIDENT_ID_PATTERN.test(id)) return null;
  const [, day = '', sequence = '', epoch] = id.split('-');
  return { day, sequence: Number(sequence), epoch: epoch ?? null };
}

/** Whether `id` is an incident id (safe as a bucket key, a subject token, an audit field). */
export function isIncidentId(id: string): boolean {
  return parseIncidentId(id) !== null;
}
