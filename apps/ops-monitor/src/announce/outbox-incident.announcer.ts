import { type OpscrewConfig } from '@opscrew/config';
import { type FingerprintRecord } from '@opscrew/contracts';
import { type OutboxService } from '@opscrew/guardrails';
import { type QualityTracker } from '../quality/quality.tracker';
import { type IncidentAnnouncer } from '../incidents/incident-manager.service';
import { buildBrief, renderAlert, renderTicket } from '@opscrew/integrations';

/** Labels on every auto-detected ticket when no Jira labels are configured (the seed's). */
const DEFAULT_LABELS = ['auto-detected', 'ops-monitor'];

/**
 * A new incident becomes one ticket and one alert, both through the outbox:
 * persisted before any attempt, idempotent by the incident id, rate-limited
 * and folded into a summary in a storm — never lost, never doubled.
 */
export class OutboxIncidentAnnouncer implements IncidentAnnouncer {
  constructor(
    private readonly outbox: OutboxService,
    private readonly config: OpscrewConfig,
    private readonly quality: QualityTracker,
  ) {}

  async opened(record: FingerprintRecord): Promise<void> {
    const brief = buildBrief(record, this.config);
    const labels = this.config.integrations.jira?.labels ?? DEFAULT_LABELS;
    const ticket = await this.outbox.enqueue({
      kind: 'ticket.create',
      draft: renderTicket(brief, labels),
    });
    await this.outbox.enqueue({ kind: 'notify', notification: renderAlert(brief) });
    // Counted once per ticket, not once per retry of this announcement.
    if (ticket.created) this.quality.recordTicket(brief.runbook !== null);
  }
}
