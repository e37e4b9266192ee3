import { Inject, Injectable } from '@nestjs/common';
import { type OutboxCommand, type TicketRef } from '@opscrew/guardrails';
import { ticketKey } from '@opscrew/incident';
import { type TicketDraft, type TicketStatus } from '@opscrew/ports';
import { OBSERVE_MODE, OUTBOX } from '../jira-resolver.tokens';

/** The slice of the outbox jira-resolver needs (OutboxService fits). */
export interface OutboxLike {
  enqueue(command: OutboxCommand): Promise<unknown>;
}

/** Which ticket: a human-filed one by its key, else the incident's own (created under `ticket:<id>`). */
export interface TicketTarget {
  readonly incident_id: string;
  readonly ticket_key?: string;
}

/**
 * jira-resolver's side of the ticket: transitions and one comment per step,
 * through the outbox (persisted, idempotent, ordered after the ticket's own
 * creation, which ops-monitor enqueued under `ticket:<incident id>`). In
 * observe mode nothing is enqueued: decisions are only recorded.
 */
@Injectable()
export class TicketGateway {
  constructor(
    @Inject(OUTBOX) private readonly outbox: OutboxLike,
    @Inject(OBSERVE_MODE) private readonly observe: boolean,
  ) {}

  /** For incidents nobody ticketed (a CLI inject, a human's event): the same key, so at most one exists. */
  async ensure(draft: TicketDraft): Promise<void> {
    if (this.observe) return;
    await this.outbox.enqueue({ kind: 'ticket.create', draft });
  }

  async transition(
    target: TicketTarget,
    to: TicketStatus,
    runId: string,
    comment?: string,
  ): Promise<void> {
    if (this.observe) return;
    await this.outbox.enqueue({
      kind: 'ticket.transition',
      idempotency_key: `transition:${target.incident_id}:${runId}:${to}`,
      ticket: ref(target),
      to,
      ...(comment ? { comment } : {}),
    });
  }

  /**
   * The incident recurred: its Done ticket goes back to To Do (Jira's "Reopen"). Only from Done:
   * a ticket a person took meanwhile (escalated, in progress) stays theirs, and the step is
   * delivered as a no-op instead of failing on a move the workflow refuses.
   */
  async reopen(target: TicketTarget, key: string, comment: string): Promise<void> {
    if (this.observe) return;
    await this.outbox.enqueue({
      kind: 'ticket.transition',
      idempotency_key: `transition:${target.incident_id}:reopen:${key}`,
      ticket: ref(target),
      to: 'todo',
      only_from: ['done'],
      ...(comment ? { comment } : {}),
    });
  }

  async comment(target: TicketTarget, key: string, text: string): Promise<void> {
    if (this.observe) return;
    await this.outbox.enqueue({
      kind: 'ticket.comment',
      idempotency_key: `comment:${target.incident_id}:${key}`,
      ticket: ref(target),
      text,
    });
  }
}

function ref(target: TicketTarget): TicketRef {
  return target.ticket_key
    ? { key: target.ticket_key }
    : { idempotency_key: ticketKey(target.incident_id) };
}
