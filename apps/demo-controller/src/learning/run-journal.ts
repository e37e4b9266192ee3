import {
  type LoadSummary,
  type ObservedLockHold,
  type RequiredDetection,
  type ScenarioOutcome,
  type ScenarioRunRecord,
  type SkippedLock,
} from '@opscrew/contracts';

export interface RunEnd {
  readonly finished_at: string;
  readonly outcome: ScenarioOutcome;
  readonly note?: string;
  readonly load?: LoadSummary;
  /** Detections owed, now final (a load run adds what its measurement confirmed). */
  readonly required: readonly RequiredDetection[];
}

/** The last run of a scenario that completed (precondition checks). */
export interface CompletedRun {
  readonly run_id: string;
  readonly finished_at: string;
}

/**
 * Where the scenario runner writes the ground truth of each run; the learning
 * side adds what the crew did and scores it once the run's window closes.
 */
export interface RunJournal {
  begin(run: ScenarioRunRecord): Promise<void>;
  /** This run's own lock hold began, was renewed or ended. */
  recordLock(runId: string, hold: ObservedLockHold): Promise<void>;
  recordSkippedLock(runId: string, skipped: SkippedLock): Promise<void>;
  finish(runId: string, end: RunEnd): Promise<void>;
  lastCompleted(scenario: string): Promise<CompletedRun | null>;
}
