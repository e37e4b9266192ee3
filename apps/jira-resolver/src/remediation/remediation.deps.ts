import { type OpscrewConfig } from '@opscrew/config';
import { type EventOf, type EventPayloads, type EventSubject } from '@opscrew/contracts';
import { type MetricsSource, type RuntimePort } from '@opscrew/integrations';
import { type LlmClient } from '@opscrew/llm';
import { type IncidentLedger, type LeaseService, type SilenceStore } from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { type RunbookCatalog } from '../runbooks/runbook.catalog';
import { type TicketGateway } from '../tickets/ticket.gateway';
import { type RemediationRunsRepository } from './remediation-runs.repository';

/** What the escalation chain offers jira-resolver (EscalationService fits). */
/**
 * What a reopening did (EscalationService's ReopenResult fits), with the chain's term and the
 * recurrence that started it (an `unchanged` chain whose `term_key` is this recurrence's was
 * reopened by an earlier delivery of it).
 */
export type ReopenOutcome =
  | {
      readonly outcome: 'reopened' | 'unchanged';
      readonly record: { readonly term?: number; readonly term_key?: string };
    }
  | { readonly outcome: 'unknown' };

export interface EscalationLike {
  open(
    incident: { incident_id: string; service: string; symptom: string; severity: string },
    at?: Date,
  ): Promise<unknown>;
  escalateNow(incidentId: string, reason: string): Promise<unknown>;
  /** A recurrence after the chain closed: a new term at L1 (EscalationService.reopen). */
  reopen(incidentId: string, key: string, reason: string): Promise<ReopenOutcome>;
  close(incidentId: string, how: 'resolved' | 'acked', by: string, note?: string): Promise<unknown>;
}

export interface PublisherLike {
  publish<S extends EventSubject>(
    subject: S,
    payload: EventPayloads[S],
    options?: { id?: string },
  ): Promise<{ event: EventOf<S> }>;
}

/**
 * Everything a remediation run touches, each behind a port so tests replace it. Only the
 * composition root (remediation.composition.ts) sees it whole: each use case gets its own slice.
 */
export interface RemediationDeps {
  readonly config: OpscrewConfig;
  readonly catalog: RunbookCatalog;
  readonly runtime: RuntimePort;
  readonly metrics: MetricsSource;
  readonly leases: LeaseService;
  readonly runs: RemediationRunsRepository;
  readonly tickets: TicketGateway;
  readonly escalation: EscalationLike;
  readonly publisher: PublisherLike;
  readonly ledger: IncidentLedger;
  readonly audit: AuditSink;
  readonly now: () => Date;
  /** This replica: the lease holder name and the run owner. */
  readonly holder: string;
  readonly mode: 'act' | 'observe';
  /**
   * Claude when configured, rules otherwise: advice for the humans reading the
   * ticket (probable cause, what to check), and — only when no runbook matches
   * — one proposed action from a short safe list, validated and checked like
   * any runbook step. Absent: no advice, and no runbook means escalate.
   */
  readonly reasoning?: Pick<LlmClient, 'kind' | 'triageSummary' | 'proposeAction'>;
  /**
   * Maintenance windows (/silence): a silenced service is never restarted by a run (the step
   * waits for the window's end). Absent: no silences are checked (tests that do not need them).
   */
  readonly silences?: Pick<SilenceStore, 'isSilenced'>;
}
