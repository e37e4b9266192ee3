import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  renderSections,
  type ReportContent,
  type ReportProducer,
  type ReportSection,
} from '@opscrew/agent-core';
import { REPORT_TEXT_MAX_LENGTH, type ScenarioScoreRecord } from '@opscrew/contracts';
import { WEEKLY_REPORT_SECTIONS } from '../demo-controller.tokens';
import { LearningService } from '../learning/learning.service';
import { scorecardFigures } from '../learning/scorecard.aggregator';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
/** Suggestions quoted in the report; the rest are in the suggestions file. */
const REPORT_SUGGESTIONS = 5;

/**
 * `demo-controller-weekly` (Mondays 10:00 by default, staggered from the other agents'
 * reports): the week's scored runs per scenario (false positives, misses, detection latency),
 * the all-time scorecard and the threshold suggestions. Other features add sections after
 * these (WEEKLY_REPORT_SECTIONS, e.g. a capacity forecast) without touching this class.
 */
@Injectable()
export class DemoControllerWeeklyReport implements ReportProducer {
  readonly name = 'demo-controller-weekly';

  constructor(
    @Inject(LearningService)
    private readonly learning: Pick<LearningService, 'scorecard' | 'scores'>,
    @Optional()
    @Inject(WEEKLY_REPORT_SECTIONS)
    private readonly sections: readonly ReportSection[] = [],
  ) {}

  async build(now: Date): Promise<ReportContent> {
    const card = await this.learning.scorecard();
    const figures = scorecardFigures(card.aggregate);
    return {
      title: `demo-controller weekly report ${now.toISOString().slice(0, 10)}`,
      text: await this.text(now),
      fields: {
        runs: card.aggregate.runs,
        true_positives: card.aggregate.true_positives,
        false_positives: card.aggregate.false_positives,
        missed: card.aggregate.missed,
        restarts_during_lock: card.aggregate.restarts_during_lock,
        accuracy: figures.accuracy_ratio === null ? 'n/a' : percent(figures.accuracy_ratio),
        suggestions: card.suggestions.items.length,
      },
    };
  }

  /** The report's text (≤ REPORT_TEXT_MAX_LENGTH). */
  async text(now: Date): Promise<string> {
    const since = now.getTime() - WEEK_MS;
    const week = (await this.learning.scores()).filter(
      (score) => Date.parse(score.scored_at) >= since,
    );
    const card = await this.learning.scorecard();
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
      const seen = scores.map((s) => s.detection_latency_s).filter((v): v is number => v !== null);
      const latency = seen.length
        ? `, detected after ${round(seen.reduce((a, b) => a + b, 0) / seen.length)} s`
        : '';
      lines.push(
        `- ${scenario} ×${scores.length}: ${fp} false positive(s), ${missed} missed${latency}`,
      );
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
    lines.push(...(await renderSections(this.sections, now)));
    const text = lines.join('\n');
    return text.length > REPORT_TEXT_MAX_LENGTH
      ? `${text.slice(0, REPORT_TEXT_MAX_LENGTH - 1)}…`
      : text;
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
