import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CAPACITY_FORECAST_SUMMARY, type CapacityForecastSummary } from '@opscrew/agent-core';
import { type ScheduleConfig } from '@opscrew/config';
import {
  errorMessage,
  REPORT_TEXT_MAX_LENGTH,
  reportSubject,
  type ScenarioScoreRecord,
} from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import { CronJob } from 'cron';
import { CONTROLLER_SCHEDULES, LOGGER } from '../demo-controller.tokens';
import { LearningService } from '../learning/learning.service';
import { scorecardFigures } from '../learning/scorecard.aggregator';
import { type BusPublisher } from '../support/bus-publisher';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
/** Suggestions quoted in the report; the rest are in the suggestions file. */
const REPORT_SUGGESTIONS = 5;

/**
 * The weekly load-test report (schedule `demo-controller-weekly`, Mondays
 * 10:00 by default, staggered from the other agents' reports): the week's
 * scored runs, the all-time scorecard and the threshold suggestions, as a
 * `report.demo-controller-weekly` event (atlas forwards reports to the notifier).
 */
@Injectable()
export class WeeklyReportService {
  private readonly deps: {
    readonly schedules: ReadonlyMap<string, ScheduleConfig>;
    readonly scheduler: SchedulerRegistry;
    readonly learning: Pick<LearningService, 'scorecard' | 'scores'>;
    readonly publisher: BusPublisher;
    readonly logger: Pick<Logger, 'log' | 'error'>;
    readonly capacity: CapacityForecastSummary | null;
  };

  constructor(
    @Inject(CONTROLLER_SCHEDULES) schedules: ReadonlyMap<string, ScheduleConfig>,
    scheduler: SchedulerRegistry,
    @Inject(LearningService) learning: Pick<LearningService, 'scorecard' | 'scores'>,
    @Inject(EventPublisher) publisher: BusPublisher,
    @Optional() @Inject(LOGGER) logger: Pick<Logger, 'log' | 'error'> = new Logger('WeeklyReport'),
    // The Capacity section (issue 11); absent, the report has none.
    @Optional()
    @Inject(CAPACITY_FORECAST_SUMMARY)
    capacity: CapacityForecastSummary | null = null,
  ) {
    this.deps = { schedules, scheduler, learning, publisher, logger, capacity };
  }

  /** Registers a cron job per enabled schedule. */
  start(): void {
    for (const [name, schedule] of this.deps.schedules) {
      if (!schedule.enabled) continue;
      const job = CronJob.from({
        cronTime: schedule.cron,
        onTick: () => void this.send(name),
        start: true,
      });
      this.deps.scheduler.addCronJob(name, job);
      this.deps.logger.log(`${name}: "${schedule.cron}" (${schedule.description})`);
    }
  }

  stop(): void {
    for (const name of this.deps.schedules.keys())
      if (this.deps.scheduler.doesExist('cron', name)) this.deps.scheduler.deleteCronJob(name);
  }

  /** Builds and publishes one report; never throws (a missed report is logged, the next one comes). */
  async send(name = 'demo-controller-weekly', now: Date = new Date()): Promise<string | null> {
    try {
      const text = await this.text(now);
      const card = await this.deps.learning.scorecard();
      const figures = scorecardFigures(card.aggregate);
      const day = now.toISOString().slice(0, 10);
      await this.deps.publisher.publish(
        reportSubject(name),
        {
          kind: name,
          title: `demo-controller weekly report ${day}`,
          text,
          fields: {
            runs: card.aggregate.runs,
            true_positives: card.aggregate.true_positives,
            false_positives: card.aggregate.false_positives,
            missed: card.aggregate.missed,
            restarts_during_lock: card.aggregate.restarts_during_lock,
            accuracy: figures.accuracy_ratio === null ? 'n/a' : percent(figures.accuracy_ratio),
            suggestions: card.suggestions.items.length,
          },
        },
        { id: `report.${name}.${day}` },
      );
      this.deps.logger.log(`weekly report: ${text.split('\n')[0] ?? ''}`);
      return text;
    } catch (error) {
      this.deps.logger.error(`weekly report not sent: ${errorMessage(error)}`);
      return null;
    }
  }

  /** The report's text (≤ REPORT_TEXT_MAX_LENGTH). */
  async text(now: Date): Promise<string> {
    const since = now.getTime() - WEEK_MS;
    const week = (await this.deps.learning.scores()).filter(
      (score) => Date.parse(score.scored_at) >= since,
    );
    const card = await this.deps.learning.scorecard();
    const figures = scorecardFigures(card.aggregate);
    const sum = (pick: (s: ScenarioScoreRecord) => number): number =>
      week.reduce((total, score) => total + pick(score), 0);
    const latencies = week.map((s) => s.detection_latency_s).filter((v): v is number => v !== null);
    const lines = [
      `${week.length} scenario run(s) scored this week: ${sum((s) => s.true_positives)} right alert(s), ` +
        `${sum((s) => s.false_positives)} false positive(s), ${sum((s) => s.missed)} missed, ` +
        `${sum((s) => s.restarts_during_lock)} restart(s) during a load lock` +
        (latencies.length
          ? `, detection after ${round(latencies.reduce((a, b) => a + b, 0) / latencies.length)} s on average`
          : '') +
        '.',
      `All time (${card.aggregate.runs} completed run(s)): accuracy ${figures.accuracy_ratio === null ? 'n/a' : percent(figures.accuracy_ratio)}, ` +
        `mean detection latency ${figures.mean_detection_latency_s ?? 'n/a'} s, ` +
        `mean resolution time ${figures.mean_resolution_time_s ?? 'n/a'} s, ` +
        `${card.aggregate.restarts_during_lock} restart(s) during a lock.`,
    ];
    const byScenario = new Map<string, ScenarioScoreRecord[]>();
    for (const score of week)
      byScenario.set(score.scenario, [...(byScenario.get(score.scenario) ?? []), score]);
    for (const [scenario, scores] of byScenario) {
      const fp = scores.reduce((n, s) => n + s.false_positives, 0);
      const missed = scores.reduce((n, s) => n + s.missed, 0);
      lines.push(`- ${scenario} ×${scores.length}: ${fp} false positive(s), ${missed} missed`);
    }
    if (!card.suggestions.ready) {
      lines.push(
        `Threshold suggestions: none yet (${card.suggestions.runs}/${card.suggestions.min_samples} runs).`,
      );
    } else if (card.suggestions.items.length === 0) {
      lines.push(
        'Threshold suggestions: none — no service/symptom is dominated by false positives or misses.',
      );
    } else {
      lines.push(
        `Threshold suggestions for review (never applied automatically; all in ${card.suggestions.file}):`,
      );
      for (const s of card.suggestions.items.slice(0, REPORT_SUGGESTIONS))
        lines.push(
          `- ${s.setting ? `${s.setting}: ${s.current ?? '?'} → ${s.suggested ?? '?'}` : `${s.service} ${s.symptom}`} ` +
            `(${s.evidence.false_positives} FP, ${s.evidence.missed} missed, ${s.evidence.true_positives} right) — ${s.reason}`,
        );
    }
    if (this.deps.capacity !== null) lines.push(...(await capacitySection(this.deps.capacity)));
    const text = lines.join('\n');
    return text.length > REPORT_TEXT_MAX_LENGTH
      ? `${text.slice(0, REPORT_TEXT_MAX_LENGTH - 1)}…`
      : text;
  }
}

/** "Capacity:" and the forecast's lines; a forecast that fails is one line, never a lost report. */
async function capacitySection(capacity: CapacityForecastSummary): Promise<string[]> {
  try {
    return ['Capacity (at the current trend):', ...(await capacity.summaryLines())];
  } catch (error) {
    return [`Capacity: forecast not available (${errorMessage(error)}).`];
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
