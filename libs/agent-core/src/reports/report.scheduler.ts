import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  Optional,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  LOADED_CONFIG,
  type LoadedConfig,
  nextReportRun,
  type ReportSchedule,
  reportSchedules,
} from '@opscrew/config';
import { errorMessage, REPORT_TEXT_MAX_LENGTH, reportSubject } from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import { CronJob } from 'cron';
import { AgentIdentity } from '../agent-identity';
import { LeadershipService, runAsLeader } from '../leadership.service';
import { REPORT_PRODUCERS, type ReportProducer } from './report-producer';
import { UnknownReportError } from './unknown-report.error';

/** What one send did. */
export interface SentReport {
  readonly name: string;
  /** False: the producer had nothing to say (a dead-letter summary without dead letters). */
  readonly sent: boolean;
  readonly event_id?: string;
  readonly title?: string;
}

/** One of this agent's reports as `GET /reports` shows it. */
export interface ReportScheduleView extends ReportSchedule {
  readonly next_run: string | null;
}

/**
 * The one scheduler of the crew's reports (DESIGN: @nestjs/schedule + cron): each enabled
 * schedule of this agent that has a producer becomes a cron job read in its time zone
 * (`timezone`, else `crew.timezone`). A tick builds the report and publishes `report.<name>`;
 * it never notifies — atlas forwards every report to the notifier through the outbox.
 *
 * Event ids are deterministic per tick (`report.<name>.<minute>`): two replicas of one agent
 * ticking in the same minute store one event (JetStream's duplicate window), and atlas derives
 * the notification's idempotency key from the id, so a redelivery never sends twice.
 */
@Injectable()
export class ReportScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReportScheduler.name);
  private readonly producers: ReadonlyMap<string, ReportProducer>;
  private readonly schedules: readonly ReportSchedule[];
  private readonly registered: string[] = [];

  constructor(
    @Inject(LOADED_CONFIG) loaded: LoadedConfig,
    identity: AgentIdentity,
    private readonly registry: SchedulerRegistry,
    private readonly publisher: EventPublisher,
    @Inject(REPORT_PRODUCERS) producers: readonly ReportProducer[],
    /** Absent in narrow test modules: then this one process is the leader. */
    @Optional()
    @Inject(LeadershipService)
    private readonly leadership: LeadershipService | null = null,
  ) {
    this.producers = new Map(producers.map((producer) => [producer.name, producer]));
    this.schedules = reportSchedules(loaded.config).filter((s) => s.agent === identity.agent);
  }

  onApplicationBootstrap(): void {
    for (const schedule of this.schedules) {
      if (!schedule.enabled) continue;
      if (!this.producers.has(schedule.name)) {
        // Configured but not built by this agent (yet): said once, not at every tick.
        this.logger.warn(`${schedule.name}: scheduled but this agent has no producer for it`);
        continue;
      }
      const job = CronJob.from({
        cronTime: schedule.cron,
        timeZone: schedule.timezone,
        onTick: () => void this.tick(schedule.name),
        start: true,
      });
      this.registry.addCronJob(schedule.name, job);
      this.registered.push(schedule.name);
      this.logger.log(
        `${schedule.name}: "${schedule.cron}" ${schedule.timezone}, next ${nextReportRun(schedule, new Date()).toISOString()} (${schedule.description})`,
      );
    }
  }

  onApplicationShutdown(): void {
    for (const name of this.registered.splice(0))
      if (this.registry.doesExist('cron', name)) this.registry.deleteCronJob(name);
  }

  /** This agent's reports: its schedules, and producers without one (sent on demand only). */
  list(now: Date = new Date()): ReportScheduleView[] {
    return this.schedules.map((schedule) => ({
      ...schedule,
      next_run:
        schedule.enabled && this.producers.has(schedule.name)
          ? nextReportRun(schedule, now).toISOString()
          : null,
    }));
  }

  /** Names `send` accepts. */
  names(): string[] {
    return [...this.producers.keys()];
  }

  /**
   * Builds and publishes one report now (`POST /reports/:name`, `opscrew report <name> --now`).
   * Throws UnknownReportError for a name without a producer, and whatever building or
   * publishing threw: the caller asked and must hear why nothing was sent.
   */
  async send(name: string, now: Date = new Date()): Promise<SentReport> {
    return this.publish(name, now, `report.${name}.now.${now.toISOString()}`);
  }

  /**
   * A cron tick: never throws (a missed report is logged, the next one comes). Only the leader
   * of the agent's replicas builds it: the deterministic id would drop a second copy anyway, but
   * each build costs reads (and an LLM call for some), and `published` hooks must run once.
   * On-demand sends (`send`) stay on every replica: a human asked that one.
   */
  async tick(name: string, now: Date = new Date()): Promise<SentReport | null> {
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    try {
      const publish = (): Promise<SentReport> =>
        this.publish(name, now, `report.${name}.${minute.toISOString()}`);
      const run = await runAsLeader(this.leadership, publish);
      if (!run.ran) this.logger.debug(`${name}: standby replica, the leader sends it`);
      return run.ran ? run.value : null;
    } catch (error) {
      this.logger.error(`${name}: report not sent: ${errorMessage(error)}`);
      return null;
    }
  }

  private async publish(name: string, now: Date, id: string): Promise<SentReport> {
    const producer = this.producers.get(name);
    if (producer === undefined) throw new UnknownReportError(name, this.names());
    const content = await producer.build(now);
    if (content === null) {
      this.logger.log(`${name}: nothing to report`);
      return { name, sent: false };
    }
    const text =
      content.text.length > REPORT_TEXT_MAX_LENGTH
        ? `${content.text.slice(0, REPORT_TEXT_MAX_LENGTH - 1)}…`
        : content.text;
    const fields = content.fields && Object.keys(content.fields).length ? content.fields : null;
    const result = await this.publisher.publish(
      reportSubject(name),
      {
        kind: name,
        title: content.title,
        text,
        ...(fields === null ? {} : { fields: { ...fields } }),
      },
      { id, at: now },
    );
    producer.published?.(now);
    this.logger.log(`${name}: published ${result.event.id}`);
    return { name, sent: true, event_id: result.event.id, title: content.title };
  }
}
