import { type EscalationConfig } from '@opscrew/config';
import {
  type EscalationLevel,
  type EscalationRecord,
  type IncidentEscalatedEvent,
  LABEL_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  type PayloadOf,
} from '@opscrew/contracts';
import { clip, mentionRole, nextLevel, termOf, ticketKey } from '@opscrew/incident';
import { type Notification } from '@opscrew/ports';

/**
 * Texts of one escalation step. Everything here is derived from the record
 * alone, so a step performed again after a crash sends the same words under
 * the same keys.
 */

/** Discord shows ~4096 characters; the reason gets a quarter, the rest is fixed wording. */
const PAGE_REASON_MAX_LENGTH = 1000;
/** Room for the fixed wording around the reason in a ticket comment. */
const COMMENT_REASON_MAX_LENGTH = NOTE_MAX_LENGTH - 300;

/** Term 1 keeps the keys chains had before terms existed; a later term's are its own. */
const termSuffix = (term: number, separator: string): string =>
  term > 1 ? `${separator}t${term}` : '';

/**
 * The deterministic ids and keys of a level's side effects: a repeat is a duplicate, never a
 * second page. A recurrence's term (EscalationRecord.term) has keys of its own: its L2 is a new
 * page, not a repeat of the first term's.
 */
export const escalationKeys = {
  event: (incidentId: string, level: EscalationLevel, term = 1): string =>
    `incident.escalated.${incidentId}.${level}${termSuffix(term, '.')}`,
  notification: (incidentId: string, level: EscalationLevel, term = 1): string =>
    `escalation:${incidentId}:${level}${termSuffix(term, ':')}`,
  comment: (incidentId: string, level: EscalationLevel, term = 1): string =>
    `comment:${incidentId}:escalated:${level}${termSuffix(term, ':')}`,
  /** One transition per term, whichever human level gets there first. */
  transition: (incidentId: string, term = 1): string =>
    `transition:${incidentId}:escalated${termSuffix(term, ':')}`,
  /** The `incident.updated` that puts an ack in the ledger: one per term, whoever acks. */
  ackUpdate: (incidentId: string, term = 1): string =>
    `incident.updated.${incidentId}.acked${termSuffix(term, '.')}`,
  /** The tickets ops-monitor opens are created under this key. */
  ticket: ticketKey,
} as const;

export function ackCommand(incidentId: string): string {
  return `opscrew incident ack ${incidentId}`;
}

/** "10 min", "1.2 s": timeouts are minutes in config, but tests compress them. */
export function formatMinutes(minutes: number): string {
  if (minutes >= 1) return `${Math.round(minutes * 10) / 10} min`;
  return `${Math.round(minutes * 600) / 10} s`;
}

/** Why the chain left `from` when its deadline passed. */
export function timeoutReason(config: EscalationConfig, from: EscalationLevel): string {
  const level = config.levels[from];
  const waited = formatMinutes(level.timeout_minutes);
  return level.handler === 'jira-resolver'
    ? `automatic remediation did not resolve it within ${waited} (${from})`
    : `no acknowledgement within ${waited} at ${from}${level.mention ? ` (${level.mention})` : ''}`;
}

export function escalatedEventPayload(
  record: EscalationRecord,
  level: EscalationLevel,
  config: EscalationConfig,
): PayloadOf<IncidentEscalatedEvent> {
  const mention = config.levels[level].mention;
  return {
    incident_id: record.incident_id,
    level,
    reason: clip(record.reason, NOTE_MAX_LENGTH),
    ...(mention !== undefined ? { mention: clip(mention, LABEL_MAX_LENGTH) } : {}),
  };
}

export function escalationNotification(
  record: EscalationRecord,
  level: EscalationLevel,
  config: EscalationConfig,
): Notification {
  const cfg = config.levels[level];
  const role = mentionRole(config, level);
  const who = cfg.mention ?? cfg.handler;
  const id = record.incident_id;
  const term = termOf(record);
  // A person paged for a recurrence should know the crew's earlier fix did not hold.
  const recurred = term > 1 ? ` It recurred after it was closed (term ${term}).` : '';
  const text = [
    `${id} (${record.service}, ${record.symptom}, severity ${record.severity}) was escalated to ${level}: ${cfg.description}.${recurred}`,
    `Why: ${clip(record.reason, PAGE_REASON_MAX_LENGTH)}`,
    nextStep(config, level),
    `Acknowledge to stop the chain: \`${ackCommand(id)}\``,
  ].join('\n');
  return {
    idempotency_key: escalationKeys.notification(id, level, term),
    kind: 'escalation',
    severity: record.severity,
    title: clip(`${level} escalation: ${id} ${record.service} ${record.symptom} → ${who}`, 256),
    text,
    fields: [
      { name: 'Incident', value: id, inline: true },
      { name: 'Service', value: record.service, inline: true },
      { name: 'Symptom', value: record.symptom, inline: true },
      { name: 'Level', value: `${level} (${who})`, inline: true },
      { name: 'Acknowledge', value: `\`${ackCommand(id)}\`` },
    ],
    ...(role !== null ? { mention_roles: [role] } : {}),
    incident_id: id,
  };
}

export function escalationComment(
  record: EscalationRecord,
  level: EscalationLevel,
  config: EscalationConfig,
): string {
  const cfg = config.levels[level];
  return clip(
    `Escalated to ${level}${cfg.mention ? ` (${cfg.mention})` : ''}: ${cfg.description}. ` +
      `Why: ${clip(record.reason, COMMENT_REASON_MAX_LENGTH).replace(/[.\s]+$/, '')}. ` +
      `${nextStep(config, level)} Acknowledge with \`${ackCommand(record.incident_id)}\`.`,
    NOTE_MAX_LENGTH,
  );
}

function nextStep(config: EscalationConfig, level: EscalationLevel): string {
  const next = nextLevel(level);
  const waited = formatMinutes(config.levels[level].timeout_minutes);
  if (next === null) return 'This is the last level: nobody else will be paged.';
  const cfg = config.levels[next];
  return `Without an acknowledgement within ${waited}: ${next} (${cfg.mention ?? cfg.handler}).`;
}
