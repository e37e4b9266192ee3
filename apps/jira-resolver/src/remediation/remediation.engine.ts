import { Logger } from '@nestjs/common';
import { type RemediationRunRecord } from '@opscrew/contracts';
import { type KvRevisioned } from '@opscrew/messaging';
import { type RunClaims } from './run/run-claims';
import { type RunLease } from './run/run-lease';
import { LostRunError, type RunSession } from './run/run-session';
import { type StepBackoff } from './run/step-backoff';
import { ExecuteStepCommand } from './use-cases/execute-step/execute-step.command';
import { type ExecuteStep } from './use-cases/execute-step/execute-step.usecase';
import {
  EnqueueRunCommand,
  type NewIncident,
  ReattemptRunCommand,
} from './use-cases/open-run/open-run.command';
import { type OpenRun } from './use-cases/open-run/open-run.usecase';
import { ResolveOrEscalateCommand } from './use-cases/resolve-or-escalate/resolve-or-escalate.command';
import { type ResolveOrEscalate } from './use-cases/resolve-or-escalate/resolve-or-escalate.usecase';
import { type Transition, WAIT } from './use-cases/transition';
import { TriageIncidentCommand } from './use-cases/triage-incident/triage-incident.command';
import { type TriageIncident } from './use-cases/triage-incident/triage-incident.usecase';
import { VerifyFixCommand } from './use-cases/verify-fix/verify-fix.command';
import { type VerifyFix } from './use-cases/verify-fix/verify-fix.usecase';

// Callers (intake, the To Do poller) name incidents as the front takes them.
export type { NewIncident } from './use-cases/open-run/open-run.command';

/** Steps done in one advance before yielding: quick checks run back to back, waits end the turn. */
const MAX_STEPS_PER_ADVANCE = 20;

/** The units a run is driven by (composeRemediation wires them from the ports). */
export interface RemediationUseCases {
  readonly claims: RunClaims;
  readonly lease: Pick<RunLease, 'renew'>;
  readonly backoff: StepBackoff;
  readonly openRun: OpenRun;
  readonly triage: TriageIncident;
  readonly executeStep: ExecuteStep;
  readonly verifyFix: VerifyFix;
  readonly resolveOrEscalate: ResolveOrEscalate;
  readonly now: () => Date;
}

/**
 * Drives remediation runs: a persisted state machine (queued → running ⇄
 * deferred → verifying → succeeded | failed) in the `remediations` bucket,
 * advanced by CAS, so one incident gets one run however many replicas or
 * redeliveries there are, and a resolver restarted mid-run resumes it.
 *
 * A front only: it claims the run, then hands each state to its use case
 * (queued → TriageIncident, running/deferred → ExecuteStep, verifying → VerifyFix)
 * and every end to ResolveOrEscalate.
 */
export class RemediationEngine {
  private readonly logger = new Logger(RemediationEngine.name);

  constructor(private readonly units: RemediationUseCases) {}

  /** A run for a new incident; false when one exists already (redelivery, another replica). */
  enqueue(incident: NewIncident, attempt = 1, ticketKey?: string): Promise<boolean> {
    return this.units.openRun.enqueue(
      EnqueueRunCommand.create({ incident, attempt, ...(ticketKey ? { ticketKey } : {}) }),
    );
  }

  /**
   * The incident came back after the crew resolved it: run again, unless the
   * retry budget (`max_retries`) says a restart is not the cure — then escalate.
   */
  reattempt(
    incidentId: string,
    reason: string,
    recurrenceKey: string,
  ): Promise<'queued' | 'escalated' | 'busy' | 'unknown'> {
    return this.units.openRun.reattempt(
      ReattemptRunCommand.create({ incidentId, reason, recurrenceKey }),
    );
  }

  /** Works on one run as far as it can go now; never throws for a lost claim. */
  async advance(entry: KvRevisioned<RemediationRunRecord>): Promise<void> {
    const { claims, lease, now } = this.units;
    const at = now();
    if (!claims.mayTake(entry.value, at)) return;
    if (!(await claims.due(entry.value, at))) return;
    const session = claims.open(entry);
    try {
      await session.save(session.run); // claim
      const lost = await lease.renew(session);
      if (lost !== null) {
        await this.settle(session, { kind: 'escalate', reason: lost });
        return;
      }
      for (let turn = 0; turn < MAX_STEPS_PER_ADVANCE; turn++) {
        const current = session.run;
        if (current.state !== 'deferred' && Date.parse(current.next_at) > now().getTime()) return;
        if (!(await this.settle(session, await this.step(session)))) return;
      }
    } catch (error) {
      if (error instanceof LostRunError) {
        this.logger.debug(error.message);
        return;
      }
      await this.recover(session, error);
    }
  }

  /** One transition, by the use case for the run's state. */
  private step(session: RunSession): Promise<Transition> {
    switch (session.run.state) {
      case 'queued':
        return this.units.triage.execute(TriageIncidentCommand.create({ session }));
      case 'running':
      case 'deferred':
        return this.units.executeStep.execute(ExecuteStepCommand.create({ session }));
      case 'verifying':
        return this.units.verifyFix.execute(VerifyFixCommand.create({ session }));
      default:
        return Promise.resolve(WAIT);
    }
  }

  /** Acts on a use case's transition; true when the run has more to do in this advance. */
  private async settle(session: RunSession, transition: Transition): Promise<boolean> {
    switch (transition.kind) {
      case 'continue':
        return true;
      case 'wait':
        return false;
      case 'resolve':
        await this.units.resolveOrEscalate.execute(
          ResolveOrEscalateCommand.create({ session, outcome: 'resolve' }),
        );
        return false;
      case 'escalate':
        await this.units.resolveOrEscalate.execute(
          ResolveOrEscalateCommand.create({
            session,
            outcome: 'escalate',
            reason: transition.reason,
          }),
        );
        return false;
    }
  }

  /** A step threw: back off, or past the budget escalate; a lost claim ends the turn quietly. */
  private async recover(session: RunSession, error: unknown): Promise<void> {
    try {
      await this.settle(session, await this.units.backoff.afterError(session, error));
    } catch (inner) {
      if (!(inner instanceof LostRunError)) throw inner;
    }
  }
}
