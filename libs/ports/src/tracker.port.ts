/**
 * The tracker port: tickets with Jira's lifecycle. The embedded default keeps
 * them in the `tickets` KV bucket; the Jira Cloud adapter speaks REST v3.
 */
export const TICKET_STATUSES = ['todo', 'in_progress', 'in_review', 'done', 'escalated'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** One section of a ticket description (rendered as ADF for Jira, as text elsewhere). */
export interface TicketSection {
  readonly label: string;
  readonly text: string;
  /** A link (trace, dashboard); rendered as a link mark in ADF, never as raw markup. */
  readonly href?: string;
}

export interface TicketDraft {
  /**
   * Unique per logical ticket (e.g. `ticket:INC-20261124-001`). Trackers have
   * no idempotency keys, so adapters store it (label/property) and look it up
   * before creating: a retry after a timeout never makes a second ticket.
   */
  readonly idempotency_key: string;
  readonly incident_id: string;
  readonly summary: string;
  readonly sections: readonly TicketSection[];
  readonly labels: readonly string[];
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  readonly service: string;
}

export interface Ticket {
  readonly key: string;
  readonly status: TicketStatus;
  readonly summary: string;
  readonly incident_id: string;
  readonly url?: string;
  readonly labels: readonly string[];
}

/**
 * Optional and additive: a caller that retries (the outbox) passes the
 * idempotency key of the step so a retried comment is recognised and not
 * posted twice. Adapters that ignore it stay correct for single attempts.
 */
export interface TrackerWriteOptions {
  readonly idempotency_key?: string;
  /**
   * A conditional transition: it happens only if the ticket's current status is one of these;
   * otherwise it is a no-op (not an error), like "already there". For a caller that cannot know
   * the status, e.g. reopening a Done ticket that a person may meanwhile have taken over.
   */
  readonly only_from?: readonly TicketStatus[];
}

export interface TrackerPort {
  readonly kind: string;
  findByIdempotencyKey(key: string): Promise<Ticket | null>;
  create(draft: TicketDraft): Promise<Ticket>;
  get(key: string): Promise<Ticket | null>;
  /**
   * Moves the ticket to a status, looked up by name in the project's workflow.
   * Already in that status: a no-op (so a retried transition is harmless).
   */
  transition(
    key: string,
    to: TicketStatus,
    comment?: string,
    options?: TrackerWriteOptions,
  ): Promise<void>;
  comment(key: string, text: string, options?: TrackerWriteOptions): Promise<void>;
  /** Tickets in To Do carrying a label (jira-resolver picks up human-filed ones). */
  listByStatus(status: TicketStatus, label: string): Promise<Ticket[]>;
}

export const TRACKER = Symbol('TRACKER');
