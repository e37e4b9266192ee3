import { Logger } from '@nestjs/common';
import { type OpscrewConfig, SYMPTOMS } from '@opscrew/config';
import { SUBJECTS } from '@opscrew/contracts';
import { fingerprintKey, incidentIdentity } from '@opscrew/incident';
import { type IncidentIdAllocator, type IncidentLedger } from '@opscrew/messaging';
import { type Ticket, type TrackerPort } from '@opscrew/ports';
import { type RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { type RemediationEngine } from '../remediation/remediation.engine';
import { type PublisherLike } from '../remediation/remediation.deps';

const AUTO_DETECTED = 'auto-detected';

/**
 * With the Jira tracker, humans may file work too: To Do tickets labelled
 * `auto-detected` with no remediation running are taken on. A ticket of an
 * incident the crew knows becomes that incident's run; a ticket a person
 * filed names its service with a `service-<name>` label (and may name the
 * symptom with `symptom-<name>`) and becomes a new incident tracked on that
 * very ticket. One taker per ticket, even with two replicas (a CAS claim).
 */
export class TodoTicketPoller {
  private readonly logger = new Logger(TodoTicketPoller.name);
  /** Tickets already explained in the log: a ticket we cannot take is not re-logged every poll. */
  private readonly explained = new Set<string>();

  constructor(
    private readonly tracker: TrackerPort,
    private readonly engine: RemediationEngine,
    private readonly runs: RemediationRunsRepository,
    private readonly ledger: IncidentLedger,
    private readonly ids: IncidentIdAllocator,
    private readonly publisher: PublisherLike,
    private readonly config: OpscrewConfig,
  ) {}

  async poll(): Promise<string[]> {
    const taken: string[] = [];
    for (const ticket of await this.tracker.listByStatus('todo', AUTO_DETECTED)) {
      const incidentId = ticket.incident_id
        ? await this.fromKnownIncident(ticket)
        : await this.fromHumanTicket(ticket);
      if (incidentId) taken.push(`${ticket.key} → ${incidentId}`);
    }
    return taken;
  }

  private async fromKnownIncident(ticket: Ticket): Promise<string | null> {
    if (await this.runs.get(ticket.incident_id)) return null;
    const incident = await this.ledger.get(ticket.incident_id);
    if (!incident || incident.informational)
      return this.explain(
        ticket,
        `incident ${ticket.incident_id} is not in the ledger (or informational)`,
      );
    return (await this.engine.enqueue(incidentIdentity(incident))) ? incident.incident_id : null;
  }

  private async fromHumanTicket(ticket: Ticket): Promise<string | null> {
    if (await this.runs.ticketClaim(ticket.key)) return null;
    const service = this.serviceOf(ticket);
    if (!service)
      return this.explain(
        ticket,
        'no service-<name> label naming a watched service: cannot act on it',
      );
    const symptomLabel = ticket.labels
      .find((label) => label.startsWith('symptom-'))
      ?.slice('symptom-'.length);
    const symptom =
      symptomLabel && (SYMPTOMS as readonly string[]).includes(symptomLabel)
        ? symptomLabel
        : 'high_error_rate';
    const incidentId = await this.ids.next();
    if (
      !(await this.runs.claimTicket({
        ticket_key: ticket.key,
        incident_id: incidentId,
        at: new Date().toISOString(),
      }))
    )
      return null;
    const published = await this.publisher.publish(
      SUBJECTS.incidentDetected,
      {
        incident_id: incidentId,
        fingerprint: fingerprintKey(service, symptom),
        service,
        symptom,
        severity: 'medium',
        value: 0,
        detected_at: new Date().toISOString(),
        evidence: { ticket: ticket.key, filed_by: 'human' },
      },
      { id: `incident.detected.${incidentId}` },
    );
    await this.ledger.open(published.event);
    await this.engine.enqueue(
      { incident_id: incidentId, service, symptom, severity: 'medium' },
      1,
      ticket.key,
    );
    this.logger.log(`took human-filed ${ticket.key} as ${incidentId} (${service} ${symptom})`);
    return incidentId;
  }

  private serviceOf(ticket: Ticket): string | null {
    const label = ticket.labels
      .find((entry) => entry.startsWith('service-'))
      ?.slice('service-'.length);
    if (!label) return null;
    for (const [name, service] of this.config.services.watched)
      if (name === label || service.aliases.includes(label)) return name;
    return null;
  }

  private explain(ticket: Ticket, why: string): null {
    if (!this.explained.has(ticket.key)) {
      this.explained.add(ticket.key);
      this.logger.warn(`To Do ticket ${ticket.key} not taken: ${why}`);
    }
    return null;
  }
}
