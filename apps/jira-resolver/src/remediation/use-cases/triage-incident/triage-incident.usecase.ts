import { Injectable, Logger } from '@nestjs/common';
import { type RemediationRunRecord, SUBJECTS } from '@opscrew/contracts';
import { enginePhase, incidentIdentity, type RunbookMatch } from '@opscrew/incident';
import { type RuntimePort } from '@opscrew/integrations';
import { type IncidentLedger } from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { type RunbookCatalog } from '../../../runbooks/runbook.catalog';
import { type TicketGateway } from '../../../tickets/ticket.gateway';
import { collectEvidence } from '../../evidence.collector';
import { type EscalationLike, type PublisherLike } from '../../remediation.deps';
import { fingerprint, publishStarted } from '../../run/run-events';
import { type ProposeFix } from '../propose-fix/propose-fix.usecase';
import { ProposeFixCommand } from '../propose-fix/propose-fix.command';
import { CONTINUE, escalate, type Transition } from '../transition';
import { screenEvidence } from './screen-evidence';
import { type TriageAdvice } from './triage-advice';
import { type TriageIncidentCommand } from './triage-incident.command';

/** Picks the runbook for a symptom and the evidence seen; null: none fits. */
export type RunbookSelector = (symptom: string, evidence: string) => RunbookMatch | null;

export interface TriageIncidentPorts {
  readonly escalation: Pick<EscalationLike, 'open'>;
  readonly publisher: PublisherLike;
  readonly tickets: Pick<TicketGateway, 'transition' | 'comment'>;
  readonly runtime: Pick<RuntimePort, 'inspect' | 'logs'>;
  readonly selectRunbook: RunbookSelector;
  readonly catalog: Pick<RunbookCatalog, 'runbooks'>;
  readonly ledger: Pick<IncidentLedger, 'get'>;
  readonly audit: AuditSink;
  readonly advice: Pick<TriageAdvice, 'advise'>;
  /** No runbook matches: the model's proposal (or an escalation). */
  readonly proposeFix: Pick<ProposeFix, 'execute'>;
  readonly mode: 'act' | 'observe';
}

/**
 * Triage of a new run: the escalation chain opened (act mode), the ticket In Progress, evidence
 * from the runtime (state, logs; screened for instruction-like text), the runbook chosen —
 * unless it has run too often for this incident — and the choice explained on the ticket.
 */
@Injectable()
export class TriageIncident {
  private readonly logger = new Logger(TriageIncident.name);

  constructor(private readonly ports: TriageIncidentPorts) {}

  async execute(command: TriageIncidentCommand): Promise<Transition> {
    const { escalation, publisher, tickets, runtime, catalog, mode } = this.ports;
    const session = command.session;
    const run = session.run;
    if (mode === 'act') {
      await escalation.open(incidentIdentity(run));
      await publisher.publish(
        SUBJECTS.incidentUpdated,
        {
          incident_id: run.incident_id,
          fingerprint: fingerprint(run),
          phase: enginePhase('triage'),
          note: `jira-resolver run ${run.run_id} (attempt ${run.attempt})`,
        },
        { id: `incident.updated.${run.incident_id}.triaged.${run.run_id}` },
      );
    }
    await tickets.transition(
      run,
      'in_progress',
      run.run_id,
      `jira-resolver is on it (attempt ${run.attempt}, mode ${mode}).`,
    );
    const evidence = await collectEvidence(runtime, run.service, session.caller);
    await screenEvidence(run, evidence.text, this.ports.audit, this.logger);
    const match = this.ports.selectRunbook(run.symptom, evidence.text);
    const evidenceNote =
      [evidence.text, ...evidence.gaps.map((gap) => `(${gap})`)]
        .filter(Boolean)
        .join('\n')
        .slice(0, 1900) || 'none';
    if (!match) {
      return this.ports.proposeFix.execute(
        ProposeFixCommand.create({ session, evidenceText: evidence.text, evidenceNote }),
      );
    }
    await publishStarted(publisher, run, match.name, mode);
    const runbook = catalog.runbooks.patterns.get(match.name);
    if (
      runbook?.escalate_after_repeats !== undefined &&
      run.attempt >= runbook.escalate_after_repeats
    ) {
      await session.save({ ...run, runbook: match.name, evidence: evidenceNote });
      return escalate(
        `${match.name} has run ${run.attempt} times for this incident (escalate_after_repeats ${runbook.escalate_after_repeats}): restarting is not the cure`,
      );
    }
    await session.save({
      ...run,
      state: 'running',
      runbook: match.name,
      evidence: evidenceNote,
      step_index: 0,
    });
    await tickets.comment(
      run,
      `${run.run_id}:triage`,
      `Triage: runbook ${match.name} (${match.why}). Evidence: ${evidenceNote}${await this.blameNote(run)}`,
    );
    this.ports.advice.advise(run, evidence.text);
    return CONTINUE;
  }

  /**
   * Why this service is the one acted on, when its incident carries callers' symptoms: ops-monitor
   * attached them here by the dependency graph instead of opening the callers' own incidents.
   */
  private async blameNote(run: RemediationRunRecord): Promise<string> {
    const impact = (await this.ports.ledger.get(run.incident_id).catch(() => null))?.impact ?? [];
    if (impact.length === 0) return '';
    const callers = impact
      .map((entry) => `${entry.service} ${entry.symptom} (${entry.severity})`)
      .join(', ');
    return ` Acting on ${run.service}, the likeliest culprit: its callers ${callers} fail because of it (the dependency graph), so none of them is restarted.`;
  }
}
