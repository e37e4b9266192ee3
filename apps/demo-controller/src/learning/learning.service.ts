import { type Logger } from '@nestjs/common';
import { type AlertingConfig, type DetectionConfig } from '@opscrew/config';
import {
  ACCURACY_FEEDBACK_KEY,
  type AccuracyFeedbackRecord,
  type AnyEvent,
  IncidentDetectedEvent,
  IncidentEscalatedEvent,
  IncidentResolvedEvent,
  IncidentUpdatedEvent,
  LockAcquiredEvent,
  LockReleasedEvent,
  MAX_REQUIRED_DETECTIONS,
  MAX_RUN_OBSERVATIONS,
  type ObservedLockHold,
  RemediationFinishedEvent,
  RemediationStartedEvent,
  SCENARIO_SCORE_KEY_PREFIX,
  scenarioRunKey,
  scenarioScoreKey,
  type ScenarioRunRecord,
  type ScenarioScoreRecord,
  SCORECARD_KEY,
  type ScorecardRecord,
  type SkippedLock,
} from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';
import { type FileAccessPolicy } from '@opscrew/sandbox';
import { type Scheduler, type Timer } from '../support/scheduler';
import { writeJsonAtomically } from './json-file.writer';
import { type CompletedRun, type RunEnd, type RunJournal } from './run-journal';
import {
  addIncident,
  finishRemediation,
  hasIncident,
  hasRemediation,
  markEscalated,
  markResolved,
  releaseLock,
  startRemediation,
  upsertLock,
} from './run-observations';
import { ScenarioRunStore } from './scenario-run.store';
import { scoreRun } from './scenario.scorer';
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

export interface LearningOptions {
  /** Finish + this closes a run's window and scores it. */
  readonly settle_ms: number;
  readonly min_samples: number;
  readonly adjustment_suggestion: boolean;
  /** Absolute path of the suggestions file. */
  readonly suggestions_file: string;
  /** demo-controller's filesystem sandbox (the suggestions file is written through it). */
  readonly files?: FileAccessPolicy;
  readonly thresholds: { readonly alerting: AlertingConfig; readonly detection?: DetectionConfig };
  /** Lock holders that are this process's own runs: their holds come from the runner, not the bus. */
  readonly own_holder_prefix: string;
}

export interface LearningBuckets {
  readonly runs: TypedKv<ScenarioRunRecord>;
  readonly scores: TypedKv<ScenarioScoreRecord>;
  readonly scorecard: TypedKv<ScorecardRecord>;
  readonly accuracy: TypedKv<AccuracyFeedbackRecord>;
  readonly listKeys: () => Promise<string[]>;
}

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
 * The learning side of demo-controller: per run, ground truth (from the
 * runner) against what the crew did (from the bus: incidents, remediations,
 * locks), scored when the run's window closes (finish + settle). Keeps a
 * ScenarioScore per run, the aggregate scorecard, the accuracy feedback
 * ops-monitor's /quality reads, and — after `min_samples` runs — threshold
 * suggestions in a JSON file for a human. Nothing here changes a threshold.
 */
export class LearningService implements RunJournal {
  private readonly store: ScenarioRunStore;
  private readonly timers = new Map<string, Timer>();
  /** Other holders' locks seen on the bus and not released yet: copied into a run that starts meanwhile. */
  private readonly foreignLocks = new Map<string, ObservedLockHold>();
  private stopped = false;

  constructor(
    private readonly buckets: LearningBuckets,
    private readonly options: LearningOptions,
    private readonly scheduler: Scheduler,
    private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>,
  ) {
    this.store = new ScenarioRunStore(buckets.runs, buckets.listKeys);
  }

  /** Picks up unscored runs (a restart mid-run ends them as aborted) and schedules their scoring. */
  async start(): Promise<void> {
    this.stopped = false;
    const now = new Date(this.scheduler.now()).toISOString();
    for (const run of await this.store.load()) {
      if (run.finished_at === undefined) {
        await this.store.update(run.run_id, (r) => {
          r.finished_at = now;
          r.outcome = 'aborted';
          r.note = 'demo-controller stopped during the run';
          r.window_until = this.windowEnd(now);
          return true;
        });
      }
      this.scheduleScoring(run.run_id);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  // RunJournal ---------------------------------------------------------------------------------

  async begin(run: ScenarioRunRecord): Promise<void> {
    const now = this.scheduler.now();
    for (const [key, hold] of this.foreignLocks) {
      if (Date.parse(hold.until) <= now) this.foreignLocks.delete(key);
      else if (run.locks.length < MAX_RUN_OBSERVATIONS) run.locks.push({ ...hold });
    }
    await this.store.add(run);
  }

  async recordLock(runId: string, hold: ObservedLockHold): Promise<void> {
    await this.store.update(runId, (run) => upsertLock(run, hold));
  }

  async recordSkippedLock(runId: string, skipped: SkippedLock): Promise<void> {
    await this.store.update(runId, (run) => {
      if (run.skipped_locks.some((s) => s.service === skipped.service)) return false;
      run.skipped_locks.push(skipped);
      return true;
    });
  }

  async finish(runId: string, end: RunEnd): Promise<void> {
    await this.store.update(runId, (run) => {
      run.finished_at = end.finished_at;
      run.outcome = end.outcome;
      if (end.note !== undefined) run.note = end.note.slice(0, 2000);
      if (end.load !== undefined) run.load = end.load;
      run.required = end.required.slice(0, MAX_REQUIRED_DETECTIONS);
      run.window_until = this.windowEnd(end.finished_at);
      return true;
    });
    this.scheduleScoring(runId);
  }

  async lastCompleted(scenario: string): Promise<CompletedRun | null> {
    const candidates: CompletedRun[] = [];
    for (const run of this.store.openRuns())
      if (run.scenario === scenario && run.outcome === 'completed' && run.finished_at)
        candidates.push({ run_id: run.run_id, finished_at: run.finished_at });
    for (const score of await this.scores())
      if (score.scenario === scenario && score.outcome === 'completed')
        candidates.push({ run_id: score.run_id, finished_at: score.finished_at });
    candidates.sort((a, b) => b.finished_at.localeCompare(a.finished_at));
    return candidates[0] ?? null;
  }

  // The bus ------------------------------------------------------------------------------------

  /** `incident.>`: alerts opened, re-sighted, resolved, escalated. */
  async onIncidentEvent(event: AnyEvent): Promise<void> {
    if (event instanceof IncidentDetectedEvent) {
      const run = this.store.runAt(Date.parse(event.detected_at));
      if (!run) return;
      await this.store.update(run.run_id, (r) =>
        addIncident(r, {
          incident_id: event.incident_id,
          service: event.service,
          symptom: event.symptom,
          severity: event.severity,
          kind: 'opened',
          detected_at: event.detected_at,
          informational: event.informational === true,
        }),
      );
    } else if (event instanceof IncidentUpdatedEvent) {
      // ops-monitor's dedup updates carry a count; phase-only updates are the crew's own bookkeeping.
      if (event.count === undefined || (event.phase !== undefined && event.phase !== 'reopened'))
        return;
      const [service, symptom] = event.fingerprint.split(':');
      if (!service || !symptom) return;
      const run = this.store.runAt(Date.parse(event.at));
      if (!run || hasIncident(run, event.incident_id)) return;
      await this.store.update(run.run_id, (r) =>
        addIncident(r, {
          incident_id: event.incident_id,
          service,
          symptom,
          severity: event.severity ?? 'info',
          kind: 'resighted',
          detected_at: event.at,
          informational: false,
        }),
      );
    } else if (event instanceof IncidentResolvedEvent) {
      await this.store.updateWhere(
        (run) => hasIncident(run, event.incident_id),
        (run) => markResolved(run, event.incident_id, event.at),
      );
    } else if (event instanceof IncidentEscalatedEvent) {
      await this.store.updateWhere(
        (run) => hasIncident(run, event.incident_id),
        (run) => markEscalated(run, event.incident_id, event.at),
      );
    }
  }

  /** `remediation.>`: what jira-resolver did, restarts above all. */
  async onRemediationEvent(event: AnyEvent): Promise<void> {
    if (event instanceof RemediationFinishedEvent) {
      const restarts =
        event.mode === 'observe'
          ? 0
          : event.steps.filter((step) => step.action === 'restart_service' && step.result === 'ok')
              .length;
      const observed = {
        incident_id: event.incident_id,
        remediation_run_id: event.run_id,
        service: event.service,
        started_at: event.at,
        finished_at: event.at,
        outcome: event.outcome,
        restarts_ok: restarts,
      };
      const owner =
        this.store.openRuns().find((run) => hasRemediation(run, event.run_id)) ??
        this.runFor(event.incident_id, Date.parse(event.at));
      if (owner) await this.store.update(owner.run_id, (r) => finishRemediation(r, observed));
    } else if (event instanceof RemediationStartedEvent) {
      const run = this.runFor(event.incident_id, Date.parse(event.at));
      if (!run) return;
      await this.store.update(run.run_id, (r) =>
        startRemediation(r, {
          incident_id: event.incident_id,
          remediation_run_id: event.run_id,
          service: event.service,
          started_at: event.at,
          restarts_ok: 0,
        }),
      );
    }
  }

  /** `lock.>`: other holders' locks (ours are recorded by the runner, precisely). */
  async onLockEvent(event: AnyEvent): Promise<void> {
    if (event instanceof LockAcquiredEvent) {
      if (event.holder.startsWith(this.options.own_holder_prefix)) return;
      const hold: ObservedLockHold = {
        service: event.service,
        holder: event.holder,
        revision: event.revision,
        own: false,
        from: event.at,
        until: event.expires_at,
        released: false,
      };
      this.foreignLocks.set(`${event.service}\u0000${event.holder}`, hold);
      const run = this.store.runAt(Date.parse(event.at));
      if (!run) return;
      await this.store.update(run.run_id, (r) => {
        if (
          r.locks.some((l) => l.service === hold.service && l.holder === hold.holder && !l.released)
        )
          return false;
        return upsertLock(r, hold);
      });
    } else if (event instanceof LockReleasedEvent) {
      if (event.holder.startsWith(this.options.own_holder_prefix)) return;
      this.foreignLocks.delete(`${event.service}\u0000${event.holder}`);
      const release = { service: event.service, holder: event.holder, at: event.at };
      await this.store.updateWhere(
        () => true,
        (run) => releaseLock(run, release),
      );
    }
  }

  // Scoring ------------------------------------------------------------------------------------

  /**
   * Scores a run (its window closed, or `now` for tests and shutdown): score
   * record, aggregate, accuracy feedback, suggestions. Failed runs (nothing was
   * applied) are closed without a score; aborted ones are scored but left out
   * of the aggregate.
   */
  async score(runId: string): Promise<ScenarioScoreRecord | null> {
    this.timers.get(runId)?.cancel();
    this.timers.delete(runId);
    const run = this.store.get(runId);
    if (!run) return null;
    const score = scoreRun(run, new Date(this.scheduler.now()));
    if (score.outcome !== 'failed') {
      if (score.outcome === 'completed') await this.aggregate(score);
      await this.buckets.scores.put(scenarioScoreKey(runId), score);
    }
    await this.store.close(runId);
    this.logger.log(`scored ${runId}: ${score.summary}`);
    await this.prune().catch((error: unknown) =>
      this.logger.warn(`learning: pruning old runs failed: ${(error as Error).message}`),
    );
    return score.outcome === 'failed' ? null : score;
  }

  async scorecard(limit = RECENT_SCORES): Promise<ScorecardView> {
    const aggregate =
      (await this.buckets.scorecard.get(SCORECARD_KEY))?.value ??
      emptyScorecard(new Date(this.scheduler.now()).toISOString());
    const recent = (await this.scores())
      .sort((a, b) => b.started_at.localeCompare(a.started_at))
      .slice(0, limit);
    return {
      aggregate: { ...aggregate, ...scorecardFigures(aggregate) },
      recent,
      open_runs: this.store.openRuns().map((run) => ({
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
      this.logger.warn(`learning: suggestions not written: ${(error as Error).message}`);
    }
  }

  private runFor(incidentId: string, atMs: number): ScenarioRunRecord | undefined {
    return (
      this.store.openRuns().find((run) => hasIncident(run, incidentId)) ?? this.store.runAt(atMs)
    );
  }

  private windowEnd(finishedAt: string): string {
    return new Date(Date.parse(finishedAt) + this.options.settle_ms).toISOString();
  }

  private scheduleScoring(runId: string): void {
    if (this.stopped) return;
    const run = this.store.get(runId);
    if (!run?.window_until) return;
    this.timers.get(runId)?.cancel();
    const delay = Math.max(0, Date.parse(run.window_until) - this.scheduler.now());
    this.timers.set(
      runId,
      this.scheduler.after(delay, () => {
        this.score(runId).catch((error: unknown) => {
          this.logger.error(`learning: scoring ${runId} failed: ${(error as Error).message}`);
        });
      }),
    );
  }

  /** Deletes the oldest scored runs beyond MAX_KEPT_RUNS (run record and score). */
  private async prune(): Promise<void> {
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
}
