import {
  ESCALATION_HISTORY_MAX,
  ESCALATION_HISTORY_NOTE_MAX_LENGTH,
  type EscalationHistoryEntry,
  type EscalationHistoryEvent,
  type EscalationLevel,
  type EscalationRecord,
  type EscalationState,
  NOTE_MAX_LENGTH,
} from '@opscrew/contracts';
import { incidentIdentity, type IncidentIdentity } from '../model/incident-model';
import { type EscalationChain, levelTimeoutMs } from './escalation-levels';

/** The incident fields an escalation repeats in its pages (from incident.detected or the ledger). */
export type EscalationIncident = IncidentIdentity;

/**
 * Pure state changes of an escalation record (times are passed in: no clock here). The
 * service (libs/guardrails EscalationService) reads a record,
 * applies one of these and writes it back by compare-and-swap; losing the CAS
 * means another replica made a step first, and the service decides again from
 * what that replica wrote.
 */

const iso = (ms: number): string => new Date(ms).toISOString();

/** Texts are cut, not refused: a long reason from a remediation log must not stop a page. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A new chain at L1 (automatic remediation) whose deadline counts from `at`,
 * its pending marker (claimed `now`) set for the L1 audit step.
 */
export function openedRecord(
  incident: EscalationIncident,
  config: EscalationChain,
  at: number,
  now: number = at,
): EscalationRecord {
  const level: EscalationLevel = 'L1';
  const reason = `incident opened; ${config.levels.L1.description}`;
  return {
    ...incidentIdentity(incident),
    level,
    state: 'open',
    opened_at: iso(at),
    level_started_at: iso(at),
    deadline_at: iso(at + levelTimeoutMs(config, level)),
    reason: clip(reason, NOTE_MAX_LENGTH),
    exhausted: false,
    pending_level: level,
    pending_since: iso(now),
    history: [entry(at, 'opened', level, reason)],
  };
}

/** An ack that came before jira-resolver opened the chain: the later `open` finds it closed. */
export function preAckedRecord(
  incident: EscalationIncident,
  config: EscalationChain,
  by: string,
  at: number,
  note?: string,
): EscalationRecord {
  const opened = openedRecord(incident, config, at);
  const { pending_level: _level, pending_since: _since, ...rest } = opened;
  return closed({ ...rest }, 'acked', by, at, note);
}

/** The automation gave up: the deadline of the current level is now. */
export function requestedEarly(
  record: EscalationRecord,
  reason: string,
  at: number,
): EscalationRecord {
  return withHistory(
    {
      ...record,
      deadline_at: iso(Math.min(at, Date.parse(record.deadline_at))),
      escalate_reason: clip(reason, NOTE_MAX_LENGTH),
    },
    entry(at, 'requested', record.level, reason),
  );
}

/** Enters `level` (the pending marker says its side effects are still to be done). */
export function advanced(
  record: EscalationRecord,
  level: EscalationLevel,
  config: EscalationChain,
  reason: string,
  at: number,
): EscalationRecord {
  const { escalate_reason: _consumed, ...rest } = record;
  return withHistory(
    {
      ...rest,
      level,
      level_started_at: iso(at),
      deadline_at: iso(at + levelTimeoutMs(config, level)),
      reason: clip(reason, NOTE_MAX_LENGTH),
      pending_level: level,
      pending_since: iso(at),
    },
    entry(at, 'escalated', level, reason),
  );
}

/** Takes a stale pending marker over: this replica performs the level's side effects again. */
export function resumed(record: EscalationRecord, at: number): EscalationRecord {
  const level = record.pending_level ?? record.level;
  return withHistory(
    { ...record, pending_since: iso(at) },
    entry(at, 'resumed', record.level, `side effects of ${level} performed again`),
  );
}

/** The side effects of the pending level are done. */
export function completed(record: EscalationRecord): EscalationRecord {
  const { pending_level: _level, pending_since: _since, ...rest } = record;
  return rest;
}

/** The last level timed out: stays there, nobody is paged again. */
export function exhausted(record: EscalationRecord, at: number): EscalationRecord {
  return withHistory(
    { ...record, exhausted: true },
    entry(at, 'exhausted', record.level, 'no acknowledgement at the last level'),
  );
}

/**
 * Stops the chain. A pending marker is dropped with it: paging someone after a
 * human acknowledged (or the fix was verified) is worse than a missing page.
 */
export function closed(
  record: EscalationRecord,
  how: Exclude<EscalationState, 'open'>,
  by: string,
  at: number,
  note?: string,
): EscalationRecord {
  const {
    pending_level: dropped,
    pending_since: _since,
    escalate_reason: _reason,
    ...rest
  } = record;
  const text =
    `${how} by ${by}` +
    (note ? `: ${note}` : '') +
    (dropped !== undefined ? ` (pending ${dropped} side effects dropped)` : '');
  return withHistory(
    {
      ...rest,
      state: how,
      closed_by: by,
      closed_at: iso(at),
      ...(note !== undefined ? { close_note: clip(note, NOTE_MAX_LENGTH) } : {}),
    },
    entry(at, how, record.level, text),
  );
}

function entry(
  at: number,
  event: EscalationHistoryEvent,
  level: EscalationLevel,
  note: string,
): EscalationHistoryEntry {
  return { at: iso(at), event, level, note: clip(note, ESCALATION_HISTORY_NOTE_MAX_LENGTH) };
}

/** Appends a step; past the cap, keeps the first (when and why it opened) and the latest. */
function withHistory(record: EscalationRecord, step: EscalationHistoryEntry): EscalationRecord {
  const history = [...record.history, step];
  return {
    ...record,
    history:
      history.length > ESCALATION_HISTORY_MAX
        ? [
            history[0] as EscalationHistoryEntry,
            ...history.slice(history.length - ESCALATION_HISTORY_MAX + 1),
          ]
        : history,
  };
}
