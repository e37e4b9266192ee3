import {
  type ObservedLockHold,
  type ScenarioRunRecord,
  type SkippedLock,
} from '@opscrew/contracts';
import { upsertLock } from '../learning/run-observations';
import { type CompletedRun, type RunEnd, type RunJournal } from '../learning/run-journal';

/** The runner's journal in memory: what a scenario wrote about itself. */
export class MemoryJournal implements RunJournal {
  readonly runs = new Map<string, ScenarioRunRecord>();
  readonly ends = new Map<string, RunEnd>();

  begin(run: ScenarioRunRecord): Promise<void> {
    this.runs.set(run.run_id, structuredClone(run));
    return Promise.resolve();
  }

  recordLock(runId: string, hold: ObservedLockHold): Promise<void> {
    const run = this.runs.get(runId);
    if (run) upsertLock(run, hold);
    return Promise.resolve();
  }

  recordSkippedLock(runId: string, skipped: SkippedLock): Promise<void> {
    this.runs.get(runId)?.skipped_locks.push(skipped);
    return Promise.resolve();
  }

  finish(runId: string, end: RunEnd): Promise<void> {
    this.ends.set(runId, end);
    const run = this.runs.get(runId);
    if (run)
      Object.assign(run, {
        finished_at: end.finished_at,
        outcome: end.outcome,
        required: [...end.required],
      });
    return Promise.resolve();
  }

  lastCompleted(scenario: string): Promise<CompletedRun | null> {
    const done = [...this.runs.values()]
      .filter((run) => run.scenario === scenario && run.outcome === 'completed' && run.finished_at)
      .map((run) => ({ run_id: run.run_id, finished_at: run.finished_at as string }))
      .sort((a, b) => b.finished_at.localeCompare(a.finished_at));
    return Promise.resolve(done[0] ?? null);
  }
}
