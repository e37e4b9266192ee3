import { type Logger } from '@nestjs/common';
import {
  ACCURACY_FEEDBACK_KEY,
  errorMessage,
  SCENARIO_SCORE_KEY_PREFIX,
  scenarioRunKey,
  scenarioScoreKey,
  type ScenarioRunRecord,
  type ScenarioScoreRecord,
  SCORECARD_KEY,
  type ScorecardRecord,
} from '@opscrew/contracts';
import { writeJsonAtomically } from './json-file.writer';
import { type LearningBuckets, type LearningOptions } from './learning.options';
import {
  accuracyFeedback,
  addScore,
  emptyScorecard,
  scorecardFigures,
} from './scorecard.aggregator';
import { suggestThresholds, type ThresholdSuggestion } from './threshold.suggester';

/**
 * Scored runs kept in the bucket (run record + score each, a few KiB): months
 * of demos; the aggregate keeps counting past them. No TTL on `learning`, so
 * older ones are deleted here.
 */
export const MAX_KEPT_RUNS = 200;
/** Scores `GET /scorecard` lists by default. */
export const RECENT_SCORES = 20;

export interface ScorecardView {
  readonly aggregate: ScorecardRecord & ReturnType<typeof scorecardFigures>;
  readonly recent: ScenarioScoreRecord[];
  readonly open_runs: {
    run_id: string;
    scenario: string;
    started_at: string;
    finished_at?: string;
    window_until?: string;
    incidents: number;
  }[];
  readonly suggestions: {
    readonly ready: boolean;
    readonly min_samples: number;
    readonly runs: number;
    readonly file: string;
    readonly items: ThresholdSuggestion[];
  };
}

/**
 * What the learning side keeps of scored runs: one ScenarioScore per run (the oldest pruned
 * past MAX_KEPT_RUNS), the aggregate scorecard, the accuracy feedback ops-monitor's /quality
 * reads, and the threshold suggestions file for a human.
 */
export class ScorecardKeeper {
  constructor(
    private readonly buckets: LearningBuckets,
    private readonly options: LearningOptions,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly now: () => number,
  ) {}

  /** Stores a run's score; a completed run's also counts in the aggregate. Failed runs are not kept. */
  async record(score: ScenarioScoreRecord): Promise<void> {
    if (score.outcome === 'failed') return;
    if (score.outcome === 'completed') await this.aggregate(score);
    await this.buckets.scores.put(scenarioScoreKey(score.run_id), score);
  }

  /** The scorecard, recent scores, the runs still open and the threshold suggestions. */
  async view(
    openRuns: readonly ScenarioRunRecord[],
    limit = RECENT_SCORES,
  ): Promise<ScorecardView> {
    const aggregate =
      (await this.buckets.scorecard.get(SCORECARD_KEY))?.value ??
      emptyScorecard(new Date(this.now()).toISOString());
    const recent = (await this.scores())
      .sort((a, b) => b.started_at.localeCompare(a.started_at))
      .slice(0, limit);
    return {
      aggregate: { ...aggregate, ...scorecardFigures(aggregate) },
      recent,
      open_runs: openRuns.map((run) => ({
        run_id: run.run_id,
        scenario: run.scenario,
        started_at: run.started_at,
        ...(run.finished_at ? { finished_at: run.finished_at } : {}),
        ...(run.window_until ? { window_until: run.window_until } : {}),
        incidents: run.incidents.length,
      })),
      suggestions: {
        ready: aggregate.runs >= this.options.min_samples,
        min_samples: this.options.min_samples,
        runs: aggregate.runs,
        file: this.options.suggestions_file,
        items: suggestThresholds(aggregate, this.options.thresholds, this.options.min_samples),
      },
    };
  }

  /** Every stored score (at most MAX_KEPT_RUNS). */
  async scores(): Promise<ScenarioScoreRecord[]> {
    const scores: ScenarioScoreRecord[] = [];
    for (const key of await this.buckets.listKeys()) {
      if (!key.startsWith(SCENARIO_SCORE_KEY_PREFIX)) continue;
      const entry = await this.buckets.scores.get(key);
      if (entry) scores.push(entry.value);
    }
    return scores;
  }

  /** Deletes the oldest scored runs beyond MAX_KEPT_RUNS (run record and score). */
  async prune(): Promise<void> {
    const runIds = (await this.buckets.listKeys())
      .filter((key) => key.startsWith(SCENARIO_SCORE_KEY_PREFIX))
      .map((key) => key.slice(SCENARIO_SCORE_KEY_PREFIX.length));
    if (runIds.length <= MAX_KEPT_RUNS) return;
    const dated: { runId: string; started: string }[] = [];
    for (const runId of runIds) {
      const entry = await this.buckets.scores.get(scenarioScoreKey(runId));
      if (entry) dated.push({ runId, started: entry.value.started_at });
    }
    dated.sort((a, b) => a.started.localeCompare(b.started));
    for (const { runId } of dated.slice(0, Math.max(0, dated.length - MAX_KEPT_RUNS))) {
      await this.buckets.scores.delete(scenarioScoreKey(runId));
      await this.buckets.runs.delete(scenarioRunKey(runId));
    }
  }

  /** Adds a completed run's score to the scorecard and the accuracy feedback; writes suggestions. */
  private async aggregate(score: ScenarioScoreRecord): Promise<void> {
    const current =
      (await this.buckets.scorecard.get(SCORECARD_KEY))?.value ?? emptyScorecard(score.scored_at);
    // A restart between the aggregate and closing the run must not count the run twice.
    if (
      current.scenarios.some((s) => s.scenario === score.scenario && s.last_run_id === score.run_id)
    )
      return;
    const next = addScore(current, score);
    await this.buckets.scorecard.put(SCORECARD_KEY, next);
    await this.buckets.accuracy.put(ACCURACY_FEEDBACK_KEY, accuracyFeedback(next));
    const feedback = this.options;
    if (!feedback.adjustment_suggestion || next.runs < feedback.min_samples) return;
    const items = suggestThresholds(next, feedback.thresholds, feedback.min_samples);
    try {
      await writeJsonAtomically(
        feedback.suggestions_file,
        {
          generated_at: next.updated_at,
          runs: next.runs,
          min_samples: feedback.min_samples,
          note: 'Suggestions for a human to review. demo-controller never changes a threshold.',
          suggestions: items,
        },
        feedback.files,
      );
    } catch (error) {
      // A sandbox refusal lands here too: logged (and by the sandbox's reporter), never fatal.
      this.logger.warn(`learning: suggestions not written: ${errorMessage(error)}`);
    }
  }
}
