import { CronTime } from 'cron';
import { type OpscrewConfig } from '../schema/opscrew-config.schema';

/** One report schedule of the crew, with the time zone its cron is read in. */
export interface ReportSchedule {
  /** The schedule's key: also the report's name (`report.<name>`, `opscrew report <name>`). */
  readonly name: string;
  /** The agent whose config lists it: it builds and publishes the report. */
  readonly agent: string;
  readonly cron: string;
  /** The schedule's own `timezone`, else `crew.timezone`. */
  readonly timezone: string;
  readonly description: string;
  readonly enabled: boolean;
}

/**
 * Every schedule of every agent (disabled agents included: `report list` shows them), in config
 * order. A name is the report's address, so two agents listing the same one is refused here,
 * naming both.
 */
export function reportSchedules(config: OpscrewConfig): ReportSchedule[] {
  const schedules: ReportSchedule[] = [];
  const owners = new Map<string, string>();
  for (const [agent, agentConfig] of config.agents) {
    for (const [name, schedule] of agentConfig.schedules) {
      const other = owners.get(name);
      if (other !== undefined)
        throw new Error(
          `agents.${agent}.schedules.${name}: the name is also agents.${other}.schedules.${name} (a report name must be unique in the crew)`,
        );
      owners.set(name, agent);
      schedules.push({
        name,
        agent,
        cron: schedule.cron,
        timezone: schedule.timezone ?? config.crew.timezone,
        description: schedule.description,
        enabled: schedule.enabled && agentConfig.enabled,
      });
    }
  }
  return schedules;
}

/** When the schedule fires next after `after` (cron read in the schedule's zone). */
export function nextReportRun(
  schedule: Pick<ReportSchedule, 'cron' | 'timezone'>,
  after: Date,
): Date {
  // The zone goes to both: CronTime's own is only used by sendAt(), not by getNextDateFrom.
  return new CronTime(schedule.cron, schedule.timezone)
    .getNextDateFrom(after, schedule.timezone)
    .toJSDate();
}
