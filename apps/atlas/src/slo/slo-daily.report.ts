import { Injectable } from '@nestjs/common';
import { type ReportProducer } from '@opscrew/agent-core';
import { REPORT_TEXT_MAX_LENGTH } from '@opscrew/contracts';
import { type ObjectiveStatus, type ServiceSloStatus } from '@opscrew/incident';
import { SloView } from './slo-view.service';

/** Discord shows 25 fields at most (ReportEvent's limit). */
const MAX_FIELDS = 25;

export interface SloDailyContent {
  readonly title: string;
  readonly text: string;
  readonly fields: Record<string, string>;
}

/**
 * The daily SLO report (schedule `slo-daily`): one line per service — each objective's SLI,
 * budget left and burn over the alert windows, and any burn alert firing — within the 4000
 * characters a report carries, with one field per service for the chat's table.
 */
@Injectable()
export class SloDailyReport implements ReportProducer {
  /** atlas's schedule `slo-daily` (config/agents/atlas.json5); ReportScheduler runs it. */
  readonly name = 'slo-daily';

  constructor(private readonly view: SloView) {}

  async build(now: Date = new Date()): Promise<SloDailyContent> {
    const answer = await this.view.answer(now);
    const day = now.toISOString().slice(0, 10);
    const burning = answer.services.filter(
      (s) => s.objectives.availability.alerting || s.objectives.latency.alerting,
    );
    const header =
      answer.services.length === 0
        ? 'No SLOs configured (thresholds/slo.json5).'
        : `${answer.services.length} service(s) with SLOs; ` +
          (burning.length === 0
            ? 'no budget burning too fast.'
            : `burning too fast: ${burning.map((s) => s.service).join(', ')}.`);
    const lines = answer.services.map(serviceLine);
    const fields: Record<string, string> = {};
    for (const status of answer.services.slice(0, MAX_FIELDS)) {
      fields[status.service] =
        `availability ${budgetLeft(status.objectives.availability)}, ` +
        `latency ${budgetLeft(status.objectives.latency)}`;
    }
    return { title: `SLO report ${day}`, text: fitText([header, ...lines]), fields };
  }
}

function serviceLine(status: ServiceSloStatus): string {
  const { availability, latency } = status.objectives;
  const coverage = Math.min(availability.coverage_ratio, latency.coverage_ratio);
  return (
    `${status.service} (${status.window_days} d, ${pct(coverage)} observed): ` +
    `${objectiveLine('availability', availability)}; ` +
    `${objectiveLine(`latency ≤ ${latency.latency_p99_ms ?? '?'} ms`, latency)}`
  );
}

function objectiveLine(name: string, objective: ObjectiveStatus): string {
  const sli = objective.sli === null ? 'no data' : pct(objective.sli);
  const burns = objective.alerts
    .map((alert) => `${alert.long.window} ${rate(alert.long.burn_rate)}`)
    .join(' ');
  const alarm = objective.alerting ? ` [${objective.alerting.toUpperCase()} BURN]` : '';
  return `${name} ${sli} of ${pct(objective.target)}, ${budgetLeft(objective)}, burn ${burns}${alarm}`;
}

function budgetLeft(objective: ObjectiveStatus): string {
  if (objective.sli === null) return 'budget untouched (no data)';
  return objective.budget.remaining_ratio < 0
    ? `budget overspent by ${pct(-objective.budget.remaining_ratio)}`
    : `budget ${pct(objective.budget.remaining_ratio)} left`;
}

function rate(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 100) / 100}×`;
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100_000) / 1000} %`;
}

/** Whole lines up to the report's limit; what does not fit is counted, never cut mid-line. */
function fitText(lines: readonly string[]): string {
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    const rest = lines.length - index;
    const more = `… and ${rest} more (GET /slo)`;
    if (length + line.length + 1 + more.length + 1 > REPORT_TEXT_MAX_LENGTH && rest > 1) {
      kept.push(more);
      break;
    }
    kept.push(line.slice(0, REPORT_TEXT_MAX_LENGTH - length - 1));
    length += line.length + 1;
  }
  return kept.join('\n').slice(0, REPORT_TEXT_MAX_LENGTH);
}
