import { Injectable, Logger } from '@nestjs/common';
import {
  type AnyEvent,
  IncidentDetectedEvent,
  IncidentEscalatedEvent,
  IncidentReportedEvent,
  IncidentResolvedEvent,
  IncidentUpdatedEvent,
} from '@opscrew/contracts';
import {
  IncidentLedger,
  type LifecycleEvent,
  type MessageMeta,
  PermanentError,
} from '@opscrew/messaging';

/**
 * Keeps the incident ledger in step with the bus: every incident lifecycle event
 * (`incident.detected|updated|resolved|escalated`, from any agent or a user's
 * `opscrew incident ack`) lands in the `incidents` bucket exactly once (CAS
 * writes, idempotent by event id). `incident.reported` is intake, not lifecycle:
 * ops-monitor folds it into an incident, which then reaches the ledger here.
 * Fed by AtlasBusController (`atlas-ledger` on the JetStream transport).
 */
@Injectable()
export class LedgerRecorder {
  private readonly logger = new Logger(LedgerRecorder.name);

  constructor(private readonly ledger: IncidentLedger) {}

  async record(event: AnyEvent, meta: MessageMeta): Promise<void> {
    // The consumer acks reports unread (topology `ignores`); a direct caller gets the same.
    if (event instanceof IncidentReportedEvent) return;
    if (event instanceof IncidentDetectedEvent) {
      const { created, record } = await this.ledger.open(event);
      this.logger.log(
        `${created ? 'recorded' : 'already recorded'} ${record.incident_id}: ${record.service} ${record.symptom} ` +
          `(${record.severity}, from ${record.detected_by}, seq ${meta.seq})`,
      );
      return;
    }
    const kind = LIFECYCLE.find(([type]) => event instanceof type)?.[1];
    if (kind === undefined)
      throw new PermanentError(`atlas-ledger: unexpected event on ${meta.subject}`);
    const lifecycle = event as LifecycleEvent;
    const applied = await this.ledger.apply(lifecycle, kind);
    this.logger.log(`${lifecycle.incident_id} ${kind}${applied ? '' : ' (already applied)'}`);
  }
}

const LIFECYCLE = [
  [IncidentUpdatedEvent, 'updated'],
  [IncidentResolvedEvent, 'resolved'],
  [IncidentEscalatedEvent, 'escalated'],
] as const;
