import { Inject, Injectable, Logger } from '@nestjs/common';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import {
  type IncidentDetectedEvent,
  IncidentUpdatedEvent,
  type LockReleasedEvent,
} from '@opscrew/contracts';
import { buildBrief, incidentIdentity, renderTicket } from '@opscrew/incident';
import { type MessageMeta } from '@opscrew/messaging';
import { RemediationEngine } from '../remediation/remediation.engine';
import { RemediationWorker } from '../remediation/remediation.worker';
import { TicketGateway } from '../tickets/ticket.gateway';

/**
 * jira-resolver's intake: new incidents (durable consumer on
 * `incident.detected`) become remediation runs — one per incident, however
 * many replicas or redeliveries (the run is created by CAS). Informational
 * incidents (a locked service) are recorded, never remediated. A recurrence
 * (`incident.updated` phase reopened) is a new attempt within `max_retries`.
 * A released lock wakes deferred runs at once. Fed by IncidentIntakeController (JetStream
 * transport).
 */
@Injectable()
export class IncidentIntakeService {
  private readonly logger = new Logger(IncidentIntakeService.name);

  constructor(
    private readonly engine: RemediationEngine,
    private readonly worker: RemediationWorker,
    private readonly tickets: TicketGateway,
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
  ) {}

  async receive(event: IncidentDetectedEvent, meta: MessageMeta): Promise<void> {
    // Who sent it is the verified publisher (the NATS user its subject names, checked by the
    // consumer against BUS_GRANTS and the `source` claim), never the payload's `source` field:
    // a forged `source: "ops-monitor"` must not buy a restart.
    const from = meta.publisher ?? 'unattributed';
    const summary =
      `${event.incident_id}: ${event.service} ${event.symptom} = ${event.value}` +
      `${event.threshold !== undefined ? ` (threshold ${event.threshold})` : ''}, severity ${event.severity}, from ${from}` +
      `${meta.redelivered ? `, redelivery #${meta.deliveryCount}` : ''}`;
    if (event.informational) {
      const why =
        event.symptom === 'dependency_failure' ? 'a dependency is failing' : 'deliberate work';
      this.logger.log(`received ${summary}, informational (${why}): no remediation`);
      return;
    }
    const humanTicket =
      typeof event.evidence?.ticket === 'string' ? event.evidence.ticket : undefined;
    if (meta.publisher !== 'ops-monitor' && !humanTicket) {
      // ops-monitor tickets its incidents; one injected by a person or the CLI gets its ticket here (same key: at most one).
      await this.tickets.ensure(
        renderTicket(
          buildBrief(
            // The event names an incident as the ledger does: the brief reads it as it is.
            { ...event, metric: event.metric ?? 'value', detail: `reported by ${from}` },
            this.loaded.config,
          ),
          this.loaded.config.integrations.jira?.labels ?? ['auto-detected', 'ops-monitor'],
        ),
      );
    }
    const created = await this.engine.enqueue(incidentIdentity(event));
    this.logger.log(
      `received ${summary}: ${created ? 'remediation queued' : 'a run exists already'}`,
    );
    void this.worker.kick();
  }

  /** A recurrence: a new escalation term, the ticket reopened, and a new run within max_retries. */
  async reopened(event: IncidentUpdatedEvent): Promise<void> {
    if (!(event instanceof IncidentUpdatedEvent) || event.phase !== 'reopened') return;
    const result = await this.engine.reattempt(
      event.incident_id,
      `recurred: ${event.note ?? 'after resolution'}`,
      // ops-monitor's id for this state of the incident (one per count): a redelivery repeats it.
      event.id,
    );
    this.logger.log(`${event.incident_id} reopened: ${result}`);
    if (result === 'queued') void this.worker.kick();
  }

  lockReleased(event: LockReleasedEvent): void {
    this.logger.debug(`lock on ${event.service} released by ${event.holder}: waking deferred runs`);
    void this.worker.kick();
  }
}
