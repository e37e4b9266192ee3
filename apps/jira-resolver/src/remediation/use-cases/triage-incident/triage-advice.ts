import { Logger } from '@nestjs/common';
import { type RemediationRunRecord, errorMessage } from '@opscrew/contracts';
import { incidentIdentity } from '@opscrew/incident';
import { type IncidentFacts, type LlmClient } from '@opscrew/llm';
import { type IncidentLedger } from '@opscrew/messaging';
import { type TicketGateway } from '../../../tickets/ticket.gateway';

export type Reasoning = Pick<LlmClient, 'kind' | 'triageSummary' | 'proposeAction'>;

export interface TriageAdvicePorts {
  readonly reasoning?: Reasoning;
  readonly ledger: Pick<IncidentLedger, 'get'>;
  readonly tickets: Pick<TicketGateway, 'comment'>;
}

/**
 * The reasoning port's triage summary as one more ticket comment, off the remediation's path:
 * a model call must never delay a restart, and its answer is advice for people — it decides
 * nothing. Lost on a crash, which costs a comment, not a fix.
 */
export class TriageAdvice {
  private readonly logger = new Logger(TriageAdvice.name);

  constructor(private readonly ports: TriageAdvicePorts) {}

  advise(run: RemediationRunRecord, evidenceText: string): void {
    const { reasoning, tickets } = this.ports;
    if (!reasoning) return;
    void (async () => {
      const facts = await this.facts(run);
      const summary = await reasoning.triageSummary(facts, [
        { source: `runtime:${run.service}`, text: evidenceText },
      ]);
      await tickets.comment(
        run,
        `${run.run_id}:triage-summary`,
        `Triage summary (${reasoning.kind}): probable cause: ${summary.probable_cause}. ` +
          `What to check: ${summary.what_to_check.join('; ')}.`,
      );
    })().catch((error: unknown) => {
      this.logger.warn(
        `${run.incident_id}: no triage summary on the ticket: ${errorMessage(error)}`,
      );
    });
  }

  /** The incident as the ledger has it, else what the run knows of it. */
  async facts(run: RemediationRunRecord): Promise<IncidentFacts> {
    return (
      (await this.ports.ledger.get(run.incident_id)) ?? {
        ...incidentIdentity(run),
        value: Number.NaN,
        detected_at: run.created_at,
      }
    );
  }
}
