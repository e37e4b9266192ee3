import { type RemediationRunRecord } from '@opscrew/contracts';
import { type RunbookStepConfig } from '@opscrew/config';
import { type StepResult } from '@opscrew/contracts';
import { type RemediationDeps } from '../remediation.deps';

/** What one step did, and what the run does next. */
export type StepOutcome =
  /** Finished: record the result and go to the next step. */
  | { readonly kind: 'done'; readonly result: StepResult; readonly detail: string }
  /** Someone else holds the service's lock: wait, do not act. */
  | {
      readonly kind: 'defer';
      readonly holder: string;
      readonly until: string;
      readonly reason: string;
    }
  /** Come back at `at` (a watch or a verification in progress). */
  | { readonly kind: 'wait'; readonly at: string; readonly detail?: string }
  /** The runbook cannot go on: the run fails and the incident escalates. */
  | { readonly kind: 'fail'; readonly detail: string };

export interface StepContext {
  readonly deps: RemediationDeps;
  /** The run as persisted so far; actions change it only through `save`. */
  run: RemediationRunRecord;
  /** Persists the run now (CAS); throws when another replica took it over. */
  save(next: RemediationRunRecord): Promise<void>;
  readonly caller: {
    readonly agent: string;
    readonly reason: string;
    readonly incident_id: string;
  };
}

/** One runbook action: parameters validated by config, behaviour here. */
export interface RunbookAction<S extends RunbookStepConfig = RunbookStepConfig> {
  execute(context: StepContext, step: S): Promise<StepOutcome>;
}

export function done(result: StepResult, detail: string): StepOutcome {
  return { kind: 'done', result, detail };
}
