import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOADED_CONFIG, type LoadedConfig, type ScheduleConfig } from '@opscrew/config';
import { reportSubject, SEVERITIES, errorMessage } from '@opscrew/contracts';
import { type OutboxService } from '@opscrew/guardrails';
import { EventPublisher, IncidentLedger } from '@opscrew/messaging';
import { CronJob } from 'cron';
import { OUTBOX } from '../ops-monitor.tokens';
import { AccuracyFeedbackReader } from '../quality/accuracy-feedback.reader';
import { QualityTracker } from '../quality/quality.tracker';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The daily report line (schedule `ops-monitor-daily`, 09:00 by default,
 * staggered from the other agents'): incidents of the last 24 h and the
 * self-evaluation, as a `report.ops-monitor-daily` event and a notification.
 */
@Injectable()
export class DailyReportService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DailyReportService.name);

  constructor(
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    @Inject(OUTBOX) private readonly outbox: OutboxService,
    private readonly scheduler: SchedulerRegistry,
    private readonly ledger: IncidentLedger,
    private readonly publisher: EventPublisher,
    private readonly quality: QualityTracker,
    private readonly feedback: AccuracyFeedbackReader,
  ) {}

  onApplicationBootstrap(): void {
    const schedules =
      this.loaded.config.agents.get('ops-monitor')?.schedules ?? new Map<string, ScheduleConfig>();
    for (const [name, schedule] of schedules) {
      if (!schedule.enabled) continue;
      const job = CronJob.from({
        cronTime: schedule.cron,
        onTick: () => void this.send(name),
        start: true,
      });
      this.scheduler.addCronJob(name, job);
      this.logger.log(`${name}: "${schedule.cron}" (${schedule.description})`);
    }
  }

  /** Builds and sends one report; never throws (a missed report is logged, the next one comes). */
  async send(name = 'ops-monitor-daily', now: Date = new Date()): Promise<string | null> {
    try {
      this.quality.recordAccuracy(await this.feedback.read());
      const report = this.quality.report();
      const since = now.getTime() - DAY_MS;
      const recent = (await this.ledger.list()).filter(
        (incident) => Date.parse(incident.detected_at) >= since,
      );
      const bySeverity = new Map<string, number>();
      for (const incident of recent)
        bySeverity.set(incident.severity, (bySeverity.get(incident.severity) ?? 0) + 1);
      const ratio = (value: number | null): string =>
        value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`;
      const text =
        `${recent.length} incident(s) in the last 24 h` +
        (recent.length
          ? ` (${SEVERITIES.filter((severity) => bySeverity.has(severity))
              .map((severity) => `${bySeverity.get(severity) ?? 0} ${severity}`)
              .join(', ')})`
          : '') +
        `; completeness ${ratio(report.completeness_ratio)}, actionability ${ratio(report.actionability_ratio)}, ` +
        `accuracy ${ratio(report.accuracy_ratio)}; ${report.cycles} cycles` +
        (report.unchecked_services.length
          ? `; not checked last cycle: ${report.unchecked_services.join(', ')}`
          : '');
      const day = now.toISOString().slice(0, 10);
      await this.publisher.publish(
        reportSubject(name),
        { kind: name, title: `ops-monitor daily report ${day}`, text },
        { id: `report.${name}.${day}` },
      );
      await this.outbox.enqueue({
        kind: 'notify',
        notification: {
          idempotency_key: `report:${name}:${day}`,
          kind: 'report',
          severity: 'info',
          title: `ops-monitor daily report ${day}`,
          text,
          fields: [],
        },
      });
      this.logger.log(`daily report: ${text}`);
      return text;
    } catch (error) {
      this.logger.error(`daily report not sent: ${errorMessage(error)}`);
      return null;
    }
  }
}
