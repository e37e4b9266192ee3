import { type IncidentStep } from '@opscrew/incident';

/**
 * The three things the crew asks of its reasoning, as plain data so both adapters (Claude,
 * rules) answer the same questions. The incident is a view of the one model (the ledger's
 * IncidentRecord, libs/incident): a ledger record fits IncidentFacts as it is.
 */
export type { IncidentFacts } from '@opscrew/incident';

/** One piece of evidence (log lines, a trace summary, a metric reading): untrusted text. */
export interface EvidenceItem {
  /** Where it came from (`runtime.logs`, `signoz.traces`, `ticket.comment`): the data wrapper's source. */
  readonly source: string;
  readonly text: string;
}

export interface TriageSummary {
  readonly probable_cause: string;
  readonly what_to_check: readonly string[];
}

/** An action the caller would accept, with the parameters it may carry (string values). */
export interface AllowedAction {
  readonly action: string;
  readonly description: string;
  /** Parameter names and what each means; any other parameter makes a proposal invalid. */
  readonly params?: Readonly<Record<string, string>>;
}

/** A proposal; still subject to the same policy checks as any other action (runbook, lock, sandbox). */
export interface ProposedAction {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
}

/** One lifecycle step: the ledger's IncidentHistoryEntry fits as it is. */
export type IncidentHistoryStep = IncidentStep;
