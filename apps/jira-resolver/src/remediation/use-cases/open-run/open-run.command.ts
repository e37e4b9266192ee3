import { SEVERITIES } from '@opscrew/contracts';
import { type IncidentIdentity } from '@opscrew/incident';
import { requireField, requireText } from '../command';

/** What a run is opened from: the incident's identity (a ledger record or an `incident.detected`). */
export type NewIncident = IncidentIdentity;

/** Open a run for a new incident (`attempt` 1 unless a ticket's history says more). */
export class EnqueueRunCommand {
  private constructor(
    readonly incident: NewIncident,
    readonly attempt: number,
    readonly ticketKey: string | undefined,
  ) {}

  static create(fields: {
    incident: NewIncident;
    attempt?: number;
    ticketKey?: string;
  }): EnqueueRunCommand {
    const name = 'EnqueueRunCommand';
    const { incident } = fields;
    requireField(name, 'incident', incident !== undefined && incident !== null, 'is required');
    requireText(name, 'incident.incident_id', incident.incident_id);
    requireText(name, 'incident.service', incident.service);
    requireText(name, 'incident.symptom', incident.symptom);
    requireField(
      name,
      'incident.severity',
      SEVERITIES.includes(incident.severity),
      `expected ${SEVERITIES.join(' | ')}, got ${String(incident.severity)}`,
    );
    const attempt = fields.attempt ?? 1;
    requireField(
      name,
      'attempt',
      Number.isInteger(attempt) && attempt >= 1,
      `a whole number >= 1, got ${attempt}`,
    );
    requireField(
      name,
      'ticketKey',
      fields.ticketKey === undefined || typeof fields.ticketKey === 'string',
      'a string when given',
    );
    // An empty key is no ticket: the run writes to the incident's own.
    return new EnqueueRunCommand(incident, attempt, fields.ticketKey || undefined);
  }
}

/** Run an incident again that came back after the crew resolved it. */
export class ReattemptRunCommand {
  private constructor(
    readonly incidentId: string,
    readonly reason: string,
    /** The recurrence's event id: the same one delivered twice reopens the chain once. */
    readonly recurrenceKey: string,
  ) {}

  static create(fields: {
    incidentId: string;
    reason: string;
    recurrenceKey: string;
  }): ReattemptRunCommand {
    requireText('ReattemptRunCommand', 'incidentId', fields.incidentId);
    requireText('ReattemptRunCommand', 'reason', fields.reason);
    requireText('ReattemptRunCommand', 'recurrenceKey', fields.recurrenceKey);
    return new ReattemptRunCommand(fields.incidentId, fields.reason, fields.recurrenceKey);
  }
}
