import { Inject, Injectable } from '@nestjs/common';
import { type IncidentRecord } from '@opscrew/contracts';
import { type ChatCommandHandler, type ChatOptions, type ChatReply } from './chat-command';
import { CHAT_CREW_SOURCES, type ChatCrewSources } from './chat-crew.sources';
import { type AgentLiveness } from '../liveness/agent-liveness';

/** Incidents listed in one answer; the rest are counted (Discord's 2000 characters). */
export const STATUS_INCIDENTS_MAX = 10;

/**
 * `/status [service]`: without a service, every agent's liveness and the open incidents
 * (every phase but resolved); with one, that service's incidents, open and recent.
 */
@Injectable()
export class StatusCommand implements ChatCommandHandler {
  readonly name = 'status';

  constructor(@Inject(CHAT_CREW_SOURCES) private readonly crew: ChatCrewSources) {}

  async execute(options: ChatOptions): Promise<ChatReply> {
    const service = typeof options['service'] === 'string' ? options['service'] : undefined;
    return { text: service === undefined ? await this.crewStatus() : await this.of(service) };
  }

  private async crewStatus(): Promise<string> {
    const [agents, incidents] = await Promise.all([this.crew.liveness(), this.crew.incidents()]);
    const lines = ['Agents:'];
    for (const agent of agents) {
      const age =
        agent.heartbeat_age_s === null ? 'no heartbeat yet' : `${agent.heartbeat_age_s} s ago`;
      lines.push(
        `- ${agent.agent}: ${agent.enabled ? agent.state : 'disabled'} (${age})${replicaNote(agent)}`,
      );
    }
    const open = incidents.filter((incident) => incident.phase !== 'resolved');
    lines.push('', open.length === 0 ? 'No open incidents.' : `Open incidents (${open.length}):`);
    lines.push(...listed(open));
    return lines.join('\n');
  }

  private async of(service: string): Promise<string> {
    const incidents = (await this.crew.incidents()).filter(
      (incident) => incident.service === service,
    );
    if (incidents.length === 0) return `No incidents for ${service}.`;
    const open = incidents.filter((incident) => incident.phase !== 'resolved').length;
    return [`${service}: ${incidents.length} incident(s), ${open} open`, ...listed(incidents)].join(
      '\n',
    );
  }
}

function listed(incidents: readonly IncidentRecord[]): string[] {
  const lines = incidents
    .slice(0, STATUS_INCIDENTS_MAX)
    .map(
      (incident) =>
        `- ${incident.incident_id} ${incident.service} ${incident.symptom}: ${incident.phase}, ${incident.severity}` +
        (incident.informational === true ? ' (informational)' : ''),
    );
  if (incidents.length > STATUS_INCIDENTS_MAX)
    lines.push(`… and ${incidents.length - STATUS_INCIDENTS_MAX} more`);
  return lines;
}

/** `, 2/3 replicas fresh (stale: ops-monitor-1)` when it runs more than one replica. */
function replicaNote(agent: AgentLiveness): string {
  if (agent.replicas.length < 2) return '';
  const stale = agent.replicas.filter((replica) => replica.stale).map((replica) => replica.replica);
  const fresh = agent.replicas.length - stale.length;
  return `, ${fresh}/${agent.replicas.length} replicas fresh${stale.length > 0 ? ` (stale: ${stale.join(', ')})` : ''}`;
}
