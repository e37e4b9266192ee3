import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { CronJob } from 'cron';
import { ReportWriter } from '../reports/report-writer.service';
import { SloDailyReport } from './slo-daily.report';

export const SLO_DAILY_SCHEDULE = 'slo-daily';

/**
 * Runs atlas's `slo-daily` schedule (config/agents/atlas.json5): builds the report and
 * publishes it as `report.slo-daily` (atlas relays report.* to the chat). A cron job of its
 * own, as ops-monitor's daily report has; a shared report scheduler can take it over by
 * calling `send`.
 */
@Injectable()
export class SloDailySchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(SloDailySchedule.name);

  constructor(
    @Inject(LOADED_CONFIG) private readonly loaded: LoadedConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly report: SloDailyReport,
    private readonly writer: ReportWriter,
  ) {}

  onApplicationBootstrap(): void {
    const schedule = this.loaded.config.agents.get('atlas')?.schedules.get(SLO_DAILY_SCHEDULE);
    if (!schedule?.enabled) return;
    const job = CronJob.from({
      cronTime: schedule.cron,
      onTick: () => void this.send(),
      start: true,
    });
    this.scheduler.addCronJob(SLO_DAILY_SCHEDULE, job);
    this.logger.log(`${SLO_DAILY_SCHEDULE}: "${schedule.cron}" (${schedule.description})`);
  }

  /** Builds and publishes one report; never throws (a missed report is logged, the next comes). */
  async send(now: Date = new Date()): Promise<string | null> {
    try {
      const content = await this.report.build(now);
      const day = now.toISOString().slice(0, 10);
      await this.writer.write(
        { kind: SLO_DAILY_SCHEDULE, ...content },
        `report.${SLO_DAILY_SCHEDULE}.${day}`,
      );
      return content.text;
    } catch (error) {
      this.logger.error(`slo-daily report not sent: ${errorMessage(error)}`);
      return null;
    }
  }
}
