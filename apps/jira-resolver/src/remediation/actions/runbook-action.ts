import { type DeferralKind } from '@opscrew/contracts';
import { type RunbookStepConfig } from '@opscrew/config';
import { type StepResult } from '@opscrew/contracts';
import { type RemediationDeps } from '../remediation.deps';
import { type RunSession } from '../run/run-session';

/** What one step did, and what the run does next. */
export type StepOutcome =
  /** Finished: record the result and go to the next step. */
  | { readonly kind: 'done'; readonly result: StepResult; readonly detail: string }
  /**
   * Not now: someone else holds the service's lock (`lock`: resume when it is released), or a
   * guardrail says not yet (`guard`: cooldown, restarts per hour — retry at `until`). Never a
   * failed fix: the run waits, and escalates only if the fault outlives it — or at once when
   * `page` says the wait is itself a person's business (the crew's hourly restart budget is
   * spent: a systemic problem).
   */
  | {
      readonly kind: 'defer';
      readonly deferral?: DeferralKind;
      readonly holder: string;
      readonly until: string;
      readonly reason: string;
      readonly page?: boolean;
    }
  /** Come back at `at` (a watch or a verification in progress). */
  | { readonly kind: 'wait'; readonly at: string; readonly detail?: string }
  /** The runbook cannot go on: the run fails and the incident escalates. */
  | { readonly kind: 'fail'; readonly detail: string };

/**
 * What runbook actions may reach: the runtime, metrics, locks and the restart log, the ledger,
 * the bus and the audit trail. Not the tracker, the escalation chain, the catalog or the model:
 * the ticket and the run's end are ExecuteStep's and ResolveOrEscalate's.
 */
export type ActionPorts = Pick<
  RemediationDeps,
  | 'config'
  | 'runtime'
  | 'metrics'
  | 'leases'
  | 'runs'
  | 'publisher'
  | 'ledger'
  | 'audit'
  | 'now'
  | 'holder'
  | 'silences'
>;

/** The run an action works on (`run`, `save`, `caller`) and the ports it may use. */
export interface StepContext extends RunSession {
  readonly deps: ActionPorts;
}

/** One runbook action: parameters validated by config, behaviour here. */
export interface RunbookAction<S extends RunbookStepConfig = RunbookStepConfig> {
  execute(context: StepContext, step: S): Promise<StepOutcome>;
}

export function done(result: StepResult, detail: string): StepOutcome {
  return { kind: 'done', result, detail };
}
