import { Injectable, Logger } from '@nestjs/common';
import { SUBJECTS } from '@opscrew/contracts';
import { enginePhase } from '@opscrew/incident';
import { type EscalationLike, type PublisherLike } from '../../remediation.deps';
import { fingerprint } from '../../run/run-events';
import { type RunLease } from '../../run/run-lease';
import { type RunSession } from '../../run/run-session';
import { type TicketGateway } from '../../../tickets/ticket.gateway';
import { type ResolveOrEscalateCommand } from './resolve-or-escalate.command';

export interface ResolveOrEscalatePorts {
  readonly tickets: Pick<TicketGateway, 'transition' | 'comment'>;
  readonly escalation: Pick<EscalationLike, 'escalateNow' | 'close'>;
  readonly publisher: PublisherLike;
  /** Gives the service lock back before the run ends. */
  readonly lease: Pick<RunLease, 'release'>;
  readonly mode: 'act' | 'observe';
}

/**
 * How every run ends: resolved (incident.updated + incident.resolved, the escalation closed, the
 * ticket Done) or escalated (the chain paged now, the ticket told why); in observe mode only
 * recorded. Either way the lock is released and `remediation.finished` published.
 */
@Injectable()
export class ResolveOrEscalate {
  private readonly logger = new Logger(ResolveOrEscalate.name);

  constructor(private readonly ports: ResolveOrEscalatePorts) {}

  async execute(command: ResolveOrEscalateCommand): Promise<void> {
    if (command.outcome === 'resolve') await this.resolve(command.session);
    else await this.escalate(command.session, command.reason);
  }

  private async resolve(session: RunSession): Promise<void> {
    const { publisher, escalation, tickets, mode } = this.ports;
    const run = session.run;
    const progress = run.verification;
    const summary = progress
      ? `verified: ${progress.passes_in_row} passing checks (error rate ${pct(progress.last_error_rate_ratio)}, p99 ${progress.last_latency_p99_ms !== undefined ? `${Math.round(progress.last_latency_p99_ms)} ms` : 'n/a'})`
      : 'no verification (observe mode)';
    if (mode === 'act') {
      await publisher.publish(
        SUBJECTS.incidentUpdated,
        {
          incident_id: run.incident_id,
          fingerprint: fingerprint(run),
          phase: enginePhase('verify'),
          note: summary,
        },
        { id: `incident.updated.${run.incident_id}.verified.${run.run_id}` },
      );
      await publisher.publish(
        SUBJECTS.incidentResolved,
        {
          incident_id: run.incident_id,
          resolved_by: 'jira-resolver',
          note: `runbook ${run.runbook ?? '?'}: ${summary}`,
          ...(progress
            ? {
                verification: {
                  checks: progress.passes_in_row,
                  ...(progress.last_error_rate_ratio !== undefined
                    ? { error_rate_ratio: progress.last_error_rate_ratio }
                    : {}),
                  ...(progress.last_latency_p99_ms !== undefined
                    ? { latency_p99_ms: progress.last_latency_p99_ms }
                    : {}),
                },
              }
            : {}),
        },
        { id: `incident.resolved.${run.incident_id}.${run.run_id}` },
      );
      await escalation.close(run.incident_id, 'resolved', 'jira-resolver', summary);
    }
    await tickets.transition(
      run,
      'done',
      run.run_id,
      `Resolved by runbook ${run.runbook ?? '?'}: ${summary}`,
    );
    await this.finish(session, mode === 'act' ? 'succeeded' : 'skipped', summary);
  }

  private async escalate(session: RunSession, reason: string): Promise<void> {
    const { tickets, escalation, mode } = this.ports;
    const run = session.run;
    this.logger.warn(
      `${run.incident_id}: remediation ${mode === 'act' ? 'failed, escalating' : 'would fail (observe)'}: ${reason}`,
    );
    await tickets.comment(
      run,
      `${run.run_id}:failed`,
      `Remediation stopped: ${reason}. Escalating to a human.`,
    );
    if (mode === 'act') await escalation.escalateNow(run.incident_id, reason);
    await this.finish(session, mode === 'act' ? 'escalated' : 'skipped', reason);
  }

  private async finish(
    session: RunSession,
    outcome: 'succeeded' | 'escalated' | 'skipped',
    note: string,
  ): Promise<void> {
    const run = session.run;
    await this.ports.lease.release(session);
    await session.save({
      ...session.run,
      state: outcome === 'succeeded' ? 'succeeded' : outcome === 'skipped' ? 'skipped' : 'failed',
      outcome: note.slice(0, 1900),
      lease: undefined,
      deferred: undefined,
    });
    await this.ports.publisher.publish(
      SUBJECTS.remediationFinished,
      {
        incident_id: run.incident_id,
        run_id: run.run_id,
        service: run.service,
        runbook: run.runbook ?? 'none',
        mode: this.ports.mode,
        outcome,
        steps: run.steps.map((step) => ({
          action: step.action,
          result: step.result,
          detail: step.detail.slice(0, 500),
        })),
      },
      { id: `remediation.finished.${run.incident_id}.${run.run_id}` },
    );
    this.logger.log(`${run.incident_id}: remediation ${outcome} — ${note}`);
  }
}

function pct(ratio: number | undefined): string {
  return ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(2)} %`;
}
