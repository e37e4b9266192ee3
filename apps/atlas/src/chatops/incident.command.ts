import { Inject, Injectable } from '@nestjs/common';
import { type ChatCommandHandler, type ChatOptions, type ChatReply } from './chat-command';
import { ChatCommandError } from './chat-command.error';
import { CHAT_CREW_SOURCES, type ChatCrewSources, type TicketState } from './chat-crew.sources';

/** Lifecycle steps shown: the latest ones, enough to see where the incident stands. */
export const INCIDENT_STEPS_SHOWN = 5;

/** `/incident <id>`: phase, severity, ticket and the last steps of one incident. */
@Injectable()
export class IncidentCommand implements ChatCommandHandler {
  readonly name = 'incident';

  constructor(@Inject(CHAT_CREW_SOURCES) private readonly crew: ChatCrewSources) {}

  async execute(options: ChatOptions): Promise<ChatReply> {
    const id = String(options['id']);
    const [incident, ticket] = await Promise.all([this.crew.incident(id), this.crew.ticketOf(id)]);
    if (incident === null) throw new ChatCommandError(`No incident ${id}.`);
    const steps = incident.history.slice(-INCIDENT_STEPS_SHOWN);
    const lines = [
      `${incident.incident_id}: ${incident.service} ${incident.symptom}`,
      `phase ${incident.phase}, severity ${incident.severity}` +
        (incident.informational === true ? ' (informational)' : ''),
      `ticket: ${describeTicket(ticket)}`,
      `detected ${incident.detected_at} by ${incident.detected_by}, updated ${incident.updated_at}, ` +
        `${incident.count} detection(s), peak ${incident.peak_value}` +
        (incident.threshold !== undefined ? ` (threshold ${incident.threshold})` : ''),
      `last ${steps.length} step(s):`,
      ...steps.map(
        (step) =>
          `- ${step.at} ${step.phase} (${step.source})${step.note !== undefined ? `: ${step.note}` : ''}`,
      ),
    ];
    return { text: lines.join('\n') };
  }
}

function describeTicket(ticket: TicketState): string {
  switch (ticket.state) {
    case 'created':
      return ticket.key;
    case 'pending':
      return 'being created';
    case 'failed':
      return 'creation failed (see the outbox)';
    case 'none':
      return 'none';
  }
}
