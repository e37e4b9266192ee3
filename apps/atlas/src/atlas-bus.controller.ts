import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  type DeadLetterEvent,
  type IncidentEscalatedEvent,
  type IncidentResolvedEvent,
  type ReportEvent,
  SUBJECTS,
} from '@opscrew/contracts';
import { type ConsumedEvent, JetStreamContext, OnBusEvent } from '@opscrew/messaging';
import { LedgerRecorder } from './ledger/ledger-recorder.service';
import { PostmortemWriter } from './postmortems/postmortem-writer.service';
import { DeadLetterSummaryReport } from './reports/dead-letter-summary.report';
import { ReportForwarder } from './reports/report-forwarder.service';

/**
 * What atlas does with the bus, on the JetStream transport: each method is the handler of one
 * declared durable (topology.ts); the use cases stay in their services. A PermanentError they
 * throw dead-letters the message, anything else redelivers it with backoff.
 */
@Controller()
export class AtlasBusController {
  constructor(
    private readonly recorder: LedgerRecorder,
    private readonly postmortems: PostmortemWriter,
    private readonly reports: ReportForwarder,
    private readonly deadLetters: DeadLetterSummaryReport,
  ) {}

  /** Every incident lifecycle step lands in the ledger (reports are acked unread by the topology). */
  @OnBusEvent('atlas-ledger')
  async ledger(
    @Payload() event: ConsumedEvent<'atlas-ledger'>,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    await this.recorder.record(event, ctx.getMeta());
  }

  /** An incident that ended gets its draft; detected/updated are acked (no handler here). */
  @OnBusEvent('atlas-postmortems', SUBJECTS.incidentResolved)
  async resolved(@Payload() event: IncidentResolvedEvent): Promise<void> {
    await this.postmortems.draft(event.incident_id, event.id);
  }

  /** Escalated to a human: the draft so far (a later resolution rewrites it). */
  @OnBusEvent('atlas-postmortems', SUBJECTS.incidentEscalated)
  async escalated(@Payload() event: IncidentEscalatedEvent): Promise<void> {
    await this.postmortems.draft(event.incident_id, event.id);
  }

  /** Every agent's report goes to humans through the shared outbox (one notification each). */
  @OnBusEvent('atlas-reports')
  async report(@Payload() event: ReportEvent): Promise<void> {
    await this.reports.forward(event);
  }

  /** Counted for the next dead-letter summary (sent on its schedule, only when there are any). */
  @OnBusEvent('atlas-deadletters')
  deadLetter(@Payload() event: DeadLetterEvent): void {
    this.deadLetters.count(event);
  }
}
