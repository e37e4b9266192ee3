import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AGENT_NOTICES, type AgentNotices } from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig, reportSchedules } from '@opscrew/config';
import { type ReportEvent } from '@opscrew/contracts';
import { type NotificationField } from '@opscrew/ports';
import { RecentReports } from '../status/recent-reports.ring';

/**
 * atlas's `atlas-reports` handler: every scheduled report (`report.<name>` where name is a
 * schedule of some agent: what `opscrew report list` shows) becomes ONE notification in the
 * shared outbox — rate limits, retries, idempotency and storm folding as for alerts. The key is
 * derived from the event id, so a redelivered event, or the same report published twice within
 * the duplicate window, is one message.
 *
 * Event-log reports (`report.liveness`, `report.data-quality`) are not forwarded: atlas's
 * liveness notices already tell humans, and missing data is in the daily report's data-quality
 * section — forwarding them would double one and flood with the other.
 */
@Injectable()
export class ReportForwarder {
  private readonly logger = new Logger(ReportForwarder.name);
  private readonly forwarded: ReadonlySet<string>;

  constructor(
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
    @Optional() @Inject(AGENT_NOTICES) private readonly notices: AgentNotices | null = null,
    /** The status page's "last reports" (the in-memory ring). */
    @Optional() @Inject(RecentReports) private readonly recent: RecentReports | null = null,
  ) {
    this.forwarded = new Set(reportSchedules(loaded.config).map((s) => s.name));
  }

  /** True when a notification was enqueued (or already was, for this event). */
  async forward(event: ReportEvent): Promise<boolean> {
    if (!this.forwarded.has(event.kind)) {
      this.logger.debug(`report.${event.kind} ${event.id}: not a scheduled report, not forwarded`);
      return false;
    }
    if (this.notices === null) {
      this.logger.warn(`report.${event.kind} ${event.id}: no outbox here, not forwarded`);
      return false;
    }
    const result = await this.notices.enqueue({
      kind: 'notify',
      notification: reportNotification(event),
    });
    this.logger.log(
      `report.${event.kind} ${event.id}: ${result.created ? 'queued for the notifier' : 'already queued'}`,
    );
    if (result.created) this.recent?.record({ name: event.kind, title: event.title, at: event.at });
    return true;
  }
}

/** The notification a report becomes: the text as description, its figures as inline fields. */
export function reportNotification(event: ReportEvent): {
  idempotency_key: string;
  kind: 'report';
  severity: 'info';
  title: string;
  text: string;
  fields: NotificationField[];
} {
  return {
    idempotency_key: `report:${event.id}`,
    kind: 'report',
    severity: 'info',
    title: event.title,
    text: event.text,
    fields: Object.entries(event.fields ?? {}).map(([name, value]) => ({
      name: name.replace(/_/g, ' '),
      value: String(value),
      inline: true,
    })),
  };
}
