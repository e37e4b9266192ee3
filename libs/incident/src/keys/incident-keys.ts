/**
 * Keys that name one incident's things across agents. Each is spelled here once: the ticket
 * ops-monitor creates is found by jira-resolver and the escalation service under the same key,
 * and a fingerprint written by one agent is read by another — a second spelling that drifts is
 * a ticket nobody finds or an incident counted twice.
 */

/**
 * The fingerprint of an incident as the events and the ledger carry it: `service:symptom`
 * (`cart:high_error_rate`). Not a KV key: ops-monitor's fingerprint bucket has its own keys.
 */
export function fingerprintKey(service: string, symptom: string): string {
  return `${service}:${symptom}`;
}

/**
 * The idempotency key of the incident's own ticket (`ticket:<incident id>`): ops-monitor creates
 * it under this key, jira-resolver and the escalation service comment and transition through it.
 */
export function ticketKey(incidentId: string): string {
  return `ticket:${incidentId}`;
}
