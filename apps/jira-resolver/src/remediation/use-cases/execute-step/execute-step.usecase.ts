import { Injectable, Logger } from '@nestjs/common';
import {
  type RunbookActionName,
  type RunbookConfig,
  type RunbookStepConfig,
  type VerificationConfig,
} from '@opscrew/config';
import { type RemediationRunRecord, type RunStepRecord, RUN_STEPS_MAX } from '@opscrew/contracts';
import { type AuditSink } from '@opscrew/ports';
import { PROPOSAL_RUNBOOK, proposalRunbook } from '../../../runbooks/proposal.runbook';
import { type RunbookCatalog } from '../../../runbooks/runbook.catalog';
import { type TicketGateway } from '../../../tickets/ticket.gateway';
import {
  type ActionPorts,
  type RunbookAction,
  type StepContext,
  type StepOutcome,
} from '../../actions/runbook-action';
import { type EscalationLike } from '../../remediation.deps';
import { type RunSession } from '../../run/run-session';
import { CONTINUE, escalate, RESOLVE, type Transition, WAIT } from '../transition';
import { beginVerification } from '../verify-fix/begin-verification';
import { type ExecuteStepCommand } from './execute-step.command';
import { recordDeferral } from './record-deferral';

export interface ExecuteStepPorts {
  /** The behaviour of every action a runbook can name (ACTIONS). */
  readonly actions: Readonly<Record<RunbookActionName, RunbookAction<RunbookStepConfig>>>;
  /** What the actions themselves may reach. */
  readonly actionPorts: ActionPorts;
  readonly catalog: Pick<RunbookCatalog, 'runbooks'>;
  readonly tickets: Pick<TicketGateway, 'transition' | 'comment'>;
  /** A deferral that is a person's business (`page`) escalates the chain at once. */
  readonly escalation: Pick<EscalationLike, 'escalateNow'>;
  readonly audit: AuditSink;
  readonly publisher: ActionPorts['publisher'];
  /** `max_auto_actions_per_run`: steps that act, per run. */
  readonly maxAutoActions: number;
  readonly verification: Pick<VerificationConfig, 'wait_after_restart_s'>;
  readonly mode: 'act' | 'observe';
  readonly now: () => Date;
}

/**
 * One runbook step: the action runs (through its own guardrails), its result is recorded on the
 * run, the audit trail and the ticket, and the run goes on, waits, defers to a lock or a guard,
 * or escalates. Past the last step: resolve (verified, or observe mode), else verify first.
 */
@Injectable()
export class ExecuteStep {
  private readonly logger = new Logger(ExecuteStep.name);

  constructor(private readonly ports: ExecuteStepPorts) {}

  async execute(command: ExecuteStepCommand): Promise<Transition> {
    return command.session.run.state === 'deferred'
      ? this.resume(command.session)
      : this.runStep(command.session);
  }

  /** Reached only when the lock is free (or held by someone new), or the guard's time came: try the step again. */
  private async resume(session: RunSession): Promise<Transition> {
    const run = session.run;
    this.logger.log(
      run.deferred?.kind === 'guard'
        ? `${run.incident_id}: ${run.deferred.holder} allows it now, resuming`
        : `${run.incident_id}: ${run.service} is free again, resuming`,
    );
    await session.save({ ...run, state: 'running', next_at: this.ports.now().toISOString() });
    return CONTINUE;
  }

  private async runStep(session: RunSession): Promise<Transition> {
    const { tickets, audit, mode, now } = this.ports;
    const run = session.run;
    const runbook = this.runbookOf(run);
    if (!runbook) return escalate(`runbook ${run.runbook ?? '?'} is no longer configured`);
    if (run.step_index >= runbook.actions.length) {
      if (run.verified || mode === 'observe') return RESOLVE;
      // Every fix is proven with metrics before the ticket closes, even if the runbook forgot to ask.
      const waitS = this.ports.verification.wait_after_restart_s;
      await beginVerification(session, this.ports.actionPorts, { waitS });
      await tickets.transition(
        session.run,
        'in_review',
        run.run_id,
        `Verifying with metrics: first check in ${waitS} s`,
      );
      return WAIT;
    }
    const executed = run.steps.filter((step) => step.result !== 'skipped').length;
    const limit = this.ports.maxAutoActions;
    if (executed >= limit)
      return escalate(`max_auto_actions_per_run (${limit}) reached before the runbook finished`);

    const step = runbook.actions[run.step_index];
    if (!step) return escalate(`runbook ${run.runbook ?? '?'} has no step ${run.step_index}`);
    const outcome: StepOutcome = await this.ports.actions[step.action].execute(
      this.contextFor(session),
      step,
    );
    switch (outcome.kind) {
      case 'done': {
        const record: RunStepRecord = {
          step: step.step,
          action: step.action,
          result: outcome.result,
          detail: outcome.detail.slice(0, 1900),
          at: now().toISOString(),
        };
        await session.save({
          ...session.run,
          step_index: session.run.step_index + 1,
          steps: [...session.run.steps, record].slice(-RUN_STEPS_MAX),
          errors: 0,
        });
        await audit.record({
          agent: 'jira-resolver',
          action: `remediation.${step.action}`,
          verdict: outcome.result === 'refused' ? 'refused' : 'allowed',
          result: `${outcome.result}: ${outcome.detail}`.slice(0, 1900),
          input: { incident: run.incident_id, step: step.step, action: step.action },
          incident_id: run.incident_id,
          ...(session.run.lease ? { revision: session.run.lease.revision } : {}),
        });
        await tickets.comment(
          run,
          `${run.run_id}:step:${step.step}`,
          `Step ${step.step} ${step.action}: ${outcome.result} — ${outcome.detail}`,
        );
        return CONTINUE;
      }
      case 'defer':
        // Paged once (the first deferral to this guard); the run keeps waiting for its time.
        if (
          (await recordDeferral(session, step, outcome, this.ports, this.logger)) &&
          outcome.page &&
          mode === 'act'
        )
          await this.ports.escalation.escalateNow(run.incident_id, outcome.reason);
        return WAIT;
      case 'wait':
        await session.save({ ...session.run, next_at: outcome.at });
        if (session.run.state === 'verifying') {
          await tickets.transition(
            run,
            'in_review',
            run.run_id,
            `Verifying with metrics: ${outcome.detail ?? ''}`.trim(),
          );
        }
        return WAIT;
      case 'fail':
        return escalate(outcome.detail);
    }
  }

  /** The action's view of the session: the same run and save, and only the action ports. */
  private contextFor(session: RunSession): StepContext {
    const deps = this.ports.actionPorts;
    return {
      deps,
      get run() {
        return session.run;
      },
      set run(next: RemediationRunRecord) {
        session.run = next;
      },
      save: (next) => session.save(next),
      caller: session.caller,
    };
  }

  private runbookOf(run: RemediationRunRecord): RunbookConfig | undefined {
    if (run.runbook === PROPOSAL_RUNBOOK && run.proposal) {
      // Re-validated on every step: the record in the bucket is never trusted on its own.
      const built = proposalRunbook(run.proposal, run);
      return built.ok ? built.runbook : undefined;
    }
    return run.runbook ? this.ports.catalog.runbooks.patterns.get(run.runbook) : undefined;
  }
}
