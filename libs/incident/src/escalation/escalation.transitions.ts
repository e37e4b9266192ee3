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
 * A chain (or a new term of one) starting at L1 (automatic remediation): its deadline counts
 * from `at`, its pending marker (claimed `now`) is set for the L1 audit step.
 */
function startAtL1(config: EscalationChain, at: number, now: number) {
  const level: EscalationLevel = 'L1';
  return {
    level,
    state: 'open',
    level_started_at: iso(at),
    deadline_at: iso(at + levelTimeoutMs(config, level)),
    exhausted: false,
    pending_level: level,
    pending_since: iso(now),
  } as const satisfies Partial<EscalationRecord>;
}

/** A new chain at L1. */
export function openedRecord(
  incident: EscalationIncident,
  config: EscalationChain,
  at: number,
  now: number = at,
): EscalationRecord {
  const reason = `incident opened; ${config.levels.L1.description}`;
  const start = startAtL1(config, at, now);
  return {
    ...incidentIdentity(incident),
    ...start,
    opened_at: iso(at),
    reason: clip(reason, NOTE_MAX_LENGTH),
    history: [entry(at, 'opened', start.level, reason)],
  };
}

/** Which run of the chain a record is in (records from before terms existed: the first). */
export function termOf(record: Pick<EscalationRecord, 'term'>): number {
  return record.term ?? 1;
}

/**
 * The incident recurred after its chain was closed (a verified fix, or a person's ack): a new
 * term at L1 with its own deadline counting from `at`, as if newly opened — the crew tries
 * again, and a person is paged when it cannot. `key` names the recurrence (its event id), so
 * the same one delivered twice starts one term. What the closed term did stays in `history`;
 * `opened_at` stays the incident's first opening. The pending marker (claimed `now`) is set
 * for the L1 audit step, as at an opening.
 */
export function reopenedRecord(
  record: EscalationRecord,
  config: EscalationChain,
  key: string,
  reason: string,
  at: number,
  now: number = at,
): EscalationRecord {
  const {
    closed_by: _by,
    closed_at: _at,
    close_note: _note,
    escalate_reason: _reason,
    pending_level: _level,
    pending_since: _since,
    ...rest
  } = record;
  const term = termOf(record) + 1;
  const text = `recurred after it was ${record.state} (term ${term}): ${reason}`;
  const start = startAtL1(config, at, now);
  return withHistory(
    {
      ...rest,
      ...start,
      term,
      term_key: key,
      reason: clip(`${text}; ${config.levels.L1.description}`, NOTE_MAX_LENGTH),
    },
    entry(at, 'reopened', start.level, text),
  );
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
