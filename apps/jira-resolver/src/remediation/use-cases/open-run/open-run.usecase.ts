import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type RemediationRunRecord } from '@opscrew/contracts';
import { type EscalationLike } from '../../remediation.deps';
import { type TicketTarget } from '../../../tickets/ticket.gateway';
import { type RemediationRunsRepository } from '../../remediation-runs.repository';
import {
  type EnqueueRunCommand,
  type NewIncident,
  type ReattemptRunCommand,
} from './open-run.command';

export interface OpenRunPorts {
  readonly runs: Pick<RemediationRunsRepository, 'get' | 'create' | 'update'>;
  readonly escalation: Pick<EscalationLike, 'escalateNow' | 'reopen'>;
  /** The ticket's reopening (TicketGateway fits: Done → To Do, and only from Done). */
  readonly tickets: {
    reopen(target: TicketTarget, key: string, comment: string): Promise<void>;
  };
  /** `max_retries`: runbook runs per incident before a recurrence escalates instead. */
  readonly maxRetries: number;
  readonly mode: 'act' | 'observe';
  readonly now: () => Date;
}

/**
 * Where runs begin: one `queued` run per incident (created by CAS, so a redelivery or another
 * replica finds it there), and a fresh attempt when a resolved incident recurs.
 */
@Injectable()
export class OpenRun {
  constructor(private readonly ports: OpenRunPorts) {}

  /** A run for a new incident; false when one exists already (redelivery, another replica). */
  async enqueue(command: EnqueueRunCommand): Promise<boolean> {
    const run = this.newRun(command.incident, command.attempt, this.ports.now().toISOString());
    const created = await this.ports.runs.create(
      command.ticketKey ? { ...run, ticket_key: command.ticketKey } : run,
    );
    return created !== null;
  }

  /**
   * The incident came back after the crew resolved it: its escalation chain starts a new term
   * (a person is paged again if the crew cannot fix it in time) and its Done ticket is reopened;
   * then run again, unless the retry budget (`max_retries`) says a restart is not the cure —
   * then escalate at once.
   */
  async reattempt(
    command: ReattemptRunCommand,
  ): Promise<'queued' | 'escalated' | 'busy' | 'unknown'> {
    const { runs, escalation, maxRetries, mode, now } = this.ports;
    const { incidentId, reason } = command;
    const current = await runs.get(incidentId);
    if (!current) return 'unknown';
    const run = current.value;
    if (['queued', 'running', 'deferred', 'verifying'].includes(run.state)) return 'busy';
    if (mode === 'act') await this.reopenChain(run, command);
    if (run.attempt >= maxRetries) {
      if (mode === 'act') {
        await escalation.escalateNow(
          incidentId,
          `${reason}; ${run.attempt} runbook run(s) already (max_retries ${maxRetries})`,
        );
      }
      return 'escalated';
    }
    const fresh = this.newRun(run, run.attempt + 1, now().toISOString());
    const next = run.ticket_key ? { ...fresh, ticket_key: run.ticket_key } : fresh;
    return (await runs.update(next, current.revision)) === null ? 'busy' : 'queued';
  }

  /**
   * Before the new attempt is written: a crash in between leaves the run as it was, so the
   * redelivered recurrence comes back here. The chain then says `unchanged` with this
   * recurrence's key on its term, and the ticket's reopening is enqueued again (a no-op when it
   * was: its key is the term's) — a crash between the two steps loses neither.
   */
  private async reopenChain(
    run: RemediationRunRecord,
    command: ReattemptRunCommand,
  ): Promise<void> {
    const reopened = await this.ports.escalation.reopen(
      run.incident_id,
      command.recurrenceKey,
      command.reason,
    );
    if (reopened.outcome === 'unknown') return;
    // Unchanged for another reason: the chain is still running, or another recurrence's term.
    if (reopened.outcome === 'unchanged' && reopened.record.term_key !== command.recurrenceKey)
      return;
    const term = reopened.record.term ?? 1;
    const { maxRetries } = this.ports;
    const next =
      run.attempt >= maxRetries
        ? `The runbook has run ${run.attempt} time(s) (max_retries ${maxRetries}): a person is paged now.`
        : `The crew tries again (attempt ${run.attempt + 1} of at most ${maxRetries}); ` +
          `without a verified fix in time a person is paged.`;
    await this.ports.tickets.reopen(
      run,
      `t${term}`,
      `Reopened: the incident recurred after it was closed (${command.reason}). ${next}`,
    );
  }

  private newRun(incident: NewIncident, attempt: number, now: string): RemediationRunRecord {
    return {
      incident_id: incident.incident_id,
      run_id: randomUUID().slice(0, 8),
      attempt,
      service: incident.service,
      symptom: incident.symptom,
      severity: incident.severity,
      mode: this.ports.mode,
      state: 'queued',
      runbook: null,
      step_index: 0,
      steps: [],
      evidence: 'not collected yet',
      owner: 'none',
      owner_until: now,
      created_at: now,
      updated_at: now,
      next_at: now,
    };
  }
}
