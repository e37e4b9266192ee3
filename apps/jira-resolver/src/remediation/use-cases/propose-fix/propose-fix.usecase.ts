import { errorMessage } from '@opscrew/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { type ProposedAction } from '@opscrew/llm';
import { type AuditSink } from '@opscrew/ports';
import {
  describeProposal,
  PROPOSABLE_ACTIONS,
  PROPOSAL_RUNBOOK,
  proposalRecord,
  proposalRunbook,
} from '../../../runbooks/proposal.runbook';
import { type TicketGateway } from '../../../tickets/ticket.gateway';
import { type PublisherLike } from '../../remediation.deps';
import { publishStarted } from '../../run/run-events';
import { type RunSession } from '../../run/run-session';
import { CONTINUE, escalate, type Transition } from '../transition';
import { type Reasoning, type TriageAdvice } from '../triage-incident/triage-advice';
import { type ProposeFixCommand } from './propose-fix.command';

export interface ProposeFixPorts {
  /** Absent: nothing is proposed, the run escalates. */
  readonly reasoning?: Reasoning;
  /** `propose_when_no_runbook`: the feature's switch. */
  readonly enabled: boolean;
  readonly advice: Pick<TriageAdvice, 'advise' | 'facts'>;
  readonly audit: AuditSink;
  readonly tickets: Pick<TicketGateway, 'comment'>;
  readonly publisher: PublisherLike;
  readonly mode: 'act' | 'observe';
}

/**
 * No runbook matches: one action from PROPOSABLE_ACTIONS, proposed by the
 * reasoning port (Claude, or rules without a key), may run instead of an
 * immediate escalation. The proposal is data: validated against the action
 * schemas here, then executed by the same action classes as a runbook step
 * (protected list, lock, fencing, cooldown, rate limit) and verified with
 * metrics. Nothing valid proposed, or the feature off: escalate.
 */
@Injectable()
export class ProposeFix {
  private readonly logger = new Logger(ProposeFix.name);

  constructor(private readonly ports: ProposeFixPorts) {}

  async execute(command: ProposeFixCommand): Promise<Transition> {
    const { reasoning, audit, publisher, mode } = this.ports;
    const { session, evidenceText, evidenceNote } = command;
    const run = session.run;
    const noMatch = `no runbook matches symptom ${run.symptom} with the evidence seen`;
    if (!reasoning || !this.ports.enabled) {
      await publishStarted(publisher, run, 'none', mode);
      await session.save({ ...run, evidence: evidenceNote });
      await this.commentEvidence(session, `${noMatch}.`, evidenceNote);
      return escalate(`${noMatch}: a human should look`);
    }
    const facts = await this.ports.advice.facts(run);
    let proposed: ProposedAction | null;
    try {
      proposed = await reasoning.proposeAction(
        facts,
        [{ source: `runtime:${run.service}`, text: evidenceText }],
        PROPOSABLE_ACTIONS,
      );
    } catch (error) {
      // The reasoning port failing is no reason to wait: a human gets the incident now.
      proposed = null;
      this.logger.warn(`${run.incident_id}: no proposal: ${errorMessage(error)}`);
    }
    const record = proposed ? proposalRecord(reasoning.kind, proposed) : undefined;
    const built = record ? proposalRunbook(record, run) : undefined;
    const refusal = built && !built.ok ? built.reason : undefined;
    await audit.record({
      agent: 'jira-resolver',
      action: 'remediation.propose',
      verdict: built?.ok ? 'allowed' : 'refused',
      result: !record
        ? `${reasoning.kind} proposed nothing safe for ${run.service} (${run.symptom})`
        : refusal === undefined
          ? `${reasoning.kind} proposed ${describeProposal(record)} for ${run.service}: accepted, it meets the same checks as a runbook step`
          : `${reasoning.kind} proposed ${describeProposal(record)} for ${run.service}: refused (${refusal})`,
      input: { incident: run.incident_id, symptom: run.symptom, proposal: record ?? null },
      incident_id: run.incident_id,
    });
    if (!record || refusal !== undefined) {
      await publishStarted(publisher, run, 'none', mode);
      await session.save({ ...run, evidence: evidenceNote });
      const why = !record
        ? `${reasoning.kind} proposed nothing safe`
        : `the ${reasoning.kind} proposal was refused: ${refusal}`;
      // The human who gets the page starts from what the crew saw.
      await this.commentEvidence(session, `${noMatch}, and ${why}.`, evidenceNote);
      return escalate(`${noMatch}, and ${why}: a human should look`);
    }
    await publishStarted(publisher, run, PROPOSAL_RUNBOOK, mode);
    await session.save({
      ...run,
      state: 'running',
      runbook: PROPOSAL_RUNBOOK,
      proposal: record,
      evidence: evidenceNote,
      step_index: 0,
    });
    await this.commentEvidence(
      session,
      `${noMatch}. ${reasoning.kind === 'anthropic' ? 'Claude' : 'The rules'} proposed ${describeProposal(record)}; ` +
        'it runs under the same guardrails as a runbook step and is verified with metrics.',
      evidenceNote,
    );
    this.ports.advice.advise(run, evidenceText);
    return CONTINUE;
  }

  /** The triage comment: what was decided, then what was seen (the ticket's data, never obeyed). */
  private async commentEvidence(
    session: RunSession,
    decision: string,
    evidenceNote: string,
  ): Promise<void> {
    await this.ports.tickets.comment(
      session.run,
      `${session.run.run_id}:triage`,
      `Triage: ${decision} Evidence: ${evidenceNote}`,
    );
  }
}
