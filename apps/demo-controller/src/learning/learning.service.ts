// Over ~300 lines: the learning loop's front (scoring each finished run, the scorecard, threshold
// suggestions); the keeper, foreign locks and options are their own files.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  type AnyEvent,
  errorMessage,
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
  type ScenarioRunRecord,
  type ScenarioScoreRecord,
  type SkippedLock,
} from '@opscrew/contracts';
import {
  LEARNING_BUCKETS,
  LEARNING_OPTIONS,
  LOGGER,
  SCENARIO_SLOT,
  SCHEDULER,
} from '../demo-controller.tokens';
import { type ScenarioSlot } from '../scenarios/scenario.slot';
import { type Scheduler, systemScheduler, type Timer } from '../support/scheduler';
import { ForeignLocks } from './foreign-locks';
import { type LearningBuckets, type LearningOptions } from './learning.options';
import { type CompletedRun, type RunEnd, type RunJournal } from './run-journal';
import {
  addIncident,
  addSymptoms,
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
import { RECENT_SCORES, ScorecardKeeper, type ScorecardView } from './scorecard.keeper';

export { type LearningBuckets, type LearningOptions } from './learning.options';
export { MAX_KEPT_RUNS, RECENT_SCORES, type ScorecardView } from './scorecard.keeper';

/**
 * The learning side of demo-controller: per run, ground truth (from the
 * runner) against what the crew did (from the bus: incidents, remediations,
 * locks), scored when the run's window closes (finish + settle). Keeps a
 * ScenarioScore per run, the aggregate scorecard, the accuracy feedback
 * ops-monitor's /quality reads, and — after `min_samples` runs — threshold
 * suggestions in a JSON file for a human. Nothing here changes a threshold.
 */
@Injectable()
export class LearningService implements RunJournal {
  private readonly store: ScenarioRunStore;
  private readonly keeper: ScorecardKeeper;
  private readonly timers = new Map<string, Timer>();
  private readonly foreignLocks: ForeignLocks;
  private stopped = false;

  constructor(
    @Inject(LEARNING_BUCKETS) private readonly buckets: LearningBuckets,
    @Inject(LEARNING_OPTIONS) private readonly options: LearningOptions,
    @Optional() @Inject(SCHEDULER) private readonly scheduler: Scheduler = systemScheduler,
    @Optional()
    @Inject(LOGGER)
    private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'> = new Logger('Learning'),
    /** Replicas: tells a run another replica is running from one that died with its process. */
    @Optional()
    @Inject(SCENARIO_SLOT)
    private readonly slot: Pick<ScenarioSlot, 'runningRunId'> | null = null,
  ) {
    this.store = new ScenarioRunStore(buckets.runs, buckets.listKeys);
    this.foreignLocks = new ForeignLocks(options.own_holder_prefix);
    this.keeper = new ScorecardKeeper(buckets, options, logger, () => scheduler.now());
  }

  /** Picks up unscored runs (a restart mid-run ends them as aborted) and schedules their scoring. */
  async start(): Promise<void> {
    this.stopped = false;
    const now = new Date(this.scheduler.now()).toISOString();
    const live = (await this.slot?.runningRunId()) ?? null;
    for (const run of await this.store.load()) {
      if (run.finished_at === undefined && run.run_id !== live) {
        await this.store.update(run.run_id, (r) => {
          if (r.finished_at !== undefined) return false; // it ended meanwhile: that end stands
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
    for (const hold of this.foreignLocks.live(this.scheduler.now())) {
      if (run.locks.length < MAX_RUN_OBSERVATIONS) run.locks.push(hold);
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
      // The first end stands: a replica that judged this run's process dead (its slot gone)
      // ended it as aborted, set its window and may be scoring it — a late finish changes nothing.
      if (run.finished_at !== undefined) return false;
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
    for (const run of await this.store.openRuns())
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
      const run = await this.store.runAt(Date.parse(event.detected_at));
      if (!run) return;
      await this.store.update(run.run_id, (r) =>
        addIncident(r, {
          incident_id: event.incident_id,
          service: event.service,
          symptom: event.symptom,
          symptoms: event.symptoms ?? [event.symptom],
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
      const folded = event.symptoms;
      if (folded !== undefined)
        await this.store.updateWhere(
          (run) => hasIncident(run, event.incident_id),
          (run) => addSymptoms(run, event.incident_id, folded),
        );
      const run = await this.store.runAt(Date.parse(event.at));
      if (!run || hasIncident(run, event.incident_id)) return;
      await this.store.update(run.run_id, (r) =>
        addIncident(r, {
          incident_id: event.incident_id,
          service,
          symptom,
          ...(folded !== undefined ? { symptoms: [...folded] } : {}),
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
        (await this.store.openRuns()).find((run) => hasRemediation(run, event.run_id)) ??
        (await this.runFor(event.incident_id, Date.parse(event.at)));
      if (owner) await this.store.update(owner.run_id, (r) => finishRemediation(r, observed));
    } else if (event instanceof RemediationStartedEvent) {
      const run = await this.runFor(event.incident_id, Date.parse(event.at));
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
      const hold = this.foreignLocks.acquired(event);
      const run = hold === null ? undefined : await this.store.runAt(Date.parse(event.at));
      if (!hold || !run) return;
      await this.store.update(run.run_id, (r) => {
        if (
          r.locks.some((l) => l.service === hold.service && l.holder === hold.holder && !l.released)
        )
          return false;
        return upsertLock(r, hold);
      });
    } else if (event instanceof LockReleasedEvent) {
      const release = this.foreignLocks.released(event);
      if (release === null) return;
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
    // Closing first claims the run: of two replicas scoring it, the one that loses does nothing.
    const run = await this.store.close(runId);
    if (!run) return null;
    const score = scoreRun(run, new Date(this.scheduler.now()));
    try {
      await this.keeper.record(score);
    } catch (error) {
      // Not kept: open again, so the next start scores it (as when the score was written first).
      await this.store
        .reopen(runId)
        .catch((reopenError: unknown) =>
          this.logger.warn(`learning: reopening ${runId} failed: ${errorMessage(reopenError)}`),
        );
      throw error;
    }
    this.logger.log(`scored ${runId}: ${score.summary}`);
    await this.keeper
      .prune()
      .catch((error: unknown) =>
        this.logger.warn(`learning: pruning old runs failed: ${errorMessage(error)}`),
      );
    return score.outcome === 'failed' ? null : score;
  }

  async scorecard(limit = RECENT_SCORES): Promise<ScorecardView> {
    return this.keeper.view(await this.store.openRuns(), limit);
  }

  /** Every stored score (at most MAX_KEPT_RUNS). */
  scores(): Promise<ScenarioScoreRecord[]> {
    return this.keeper.scores();
  }

  private async runFor(incidentId: string, atMs: number): Promise<ScenarioRunRecord | undefined> {
    return (
      (await this.store.openRuns()).find((run) => hasIncident(run, incidentId)) ??
      (await this.store.runAt(atMs))
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
          this.logger.error(`learning: scoring ${runId} failed: ${errorMessage(error)}`);
        });
      }),
    );
  }
}
