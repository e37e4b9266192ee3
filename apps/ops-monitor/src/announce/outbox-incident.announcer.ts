import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { type OpscrewConfig } from '@opscrew/config';
import { type FingerprintRecord, errorMessage } from '@opscrew/contracts';
import { type OutboxService } from '@opscrew/guardrails';
import {
  type BriefSources,
  briefFacts,
  buildBrief,
  renderAlert,
  renderTicket,
} from '@opscrew/incident';
import { QualityTracker } from '../quality/quality.tracker';
import { type IncidentAnnouncer } from '../incidents/incident-manager.service';
import { MONITOR_CONFIG, OUTBOX } from '../ops-monitor.tokens';
import { DetectionTriage, triageComment } from './detection-triage';

/** What the announcer reads of the config (MONITOR_CONFIG): the brief's sources, Jira's labels. */
export type AnnouncerConfig = BriefSources & {
  readonly integrations: Pick<OpscrewConfig['integrations'], 'jira'>;
};

/** Labels on every auto-detected ticket when no Jira labels are configured (the seed's). */
const DEFAULT_LABELS = ['auto-detected', 'ops-monitor'];

/**
 * A new incident becomes one ticket and one alert, both through the outbox:
 * persisted before any attempt, idempotent by the incident id, rate-limited
 * and folded into a summary in a storm — never lost, never doubled. With a
 * triage, the new ticket then gets its triage summary as a comment, off the
 * detection path: a model call must never delay the ticket or the next cycle.
 */
@Injectable()
export class OutboxIncidentAnnouncer implements IncidentAnnouncer {
  private readonly logger = new Logger(OutboxIncidentAnnouncer.name);
  /** Triage comments still being written (tests and shutdown wait for them). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(OUTBOX) private readonly outbox: Pick<OutboxService, 'enqueue'>,
    @Inject(MONITOR_CONFIG) private readonly config: AnnouncerConfig,
    private readonly quality: QualityTracker,
    @Optional() private readonly triage?: DetectionTriage,
  ) {}

  async opened(record: FingerprintRecord): Promise<void> {
    const brief = buildBrief(briefFacts(record), this.config);
    const labels = this.config.integrations.jira?.labels ?? DEFAULT_LABELS;
    const draft = renderTicket(brief, labels);
    const ticket = await this.outbox.enqueue({ kind: 'ticket.create', draft });
    await this.outbox.enqueue({ kind: 'notify', notification: renderAlert(brief) });
    // Counted once per ticket, not once per retry of this announcement.
    if (ticket.created) this.quality.recordTicket(brief.runbook !== null);
    if (ticket.created && this.triage) this.comment(record, this.triage, draft.idempotency_key);
  }

  /** Resolves when every triage comment started so far is enqueued (or has failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private comment(record: FingerprintRecord, triage: DetectionTriage, ticketKey: string): void {
    const work = (async () => {
      const result = await triage.triage(record);
      // Idempotent: a re-announcement after a crash enqueues the same key, not a second comment.
      await this.outbox.enqueue({
        kind: 'ticket.comment',
        idempotency_key: `triage:${record.incident_id}`,
        ticket: { idempotency_key: ticketKey },
        text: triageComment(triage.kind, result),
      });
    })()
      .catch((error: unknown) => {
        // Advice lost, never the ticket: it is already in the outbox.
        this.logger.warn(
          `${record.incident_id}: no detection triage on the ticket: ${errorMessage(error)}`,
        );
      })
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }
}
