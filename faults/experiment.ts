import { type FaultFigures } from './fault-accounting';
import { type FaultWorld, type FaultWorldOptions } from './fault-world';

/** What every experiment is given by the runner. */
export interface ExperimentContext {
  /** A few rounds of each (CI), instead of the full count. */
  readonly short: boolean;
  readonly say: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM: waits end at once, the runner disposes the worlds. */
  readonly signal: AbortSignal;
  /** Seeded draws in [0, 1): a run is repeatable with the same --seed. */
  readonly random: () => number;
  /** Starts a world in this experiment's folder; the runner disposes it, whatever happens. */
  world(
    options?: Partial<Omit<FaultWorldOptions, 'repoRoot' | 'runDir' | 'say' | 'signal'>>,
  ): Promise<FaultWorld>;
}

/** One experiment's outcome as faults.json holds it. */
export interface ExperimentOutcome {
  readonly rounds: number;
  readonly figures: FaultFigures;
  /** Fault end → every agent healthy again, per round (s). */
  readonly recover_s: readonly number[];
  /** Experiment-specific figures (what was thrown, how often). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Extra conditions of this experiment (e.g. detection resumed); a false one fails it. */
  readonly checks?: Readonly<Record<string, boolean>>;
}

/** An experiment that cannot run here: reported as skipped, never as passed. */
export class ExperimentSkipped extends Error {
  override readonly name = 'ExperimentSkipped';
}

export interface Experiment {
  /** Short id (`agent-kill`), the --only value and the faults.json key. */
  readonly name: string;
  readonly title: string;
  run(context: ExperimentContext): Promise<ExperimentOutcome>;
}

/** Milliseconds, abortable (a SIGINT ends the wait at once). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Throws when the run was interrupted, so an experiment stops between steps. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('interrupted');
}
