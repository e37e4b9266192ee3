import { type TicketStatus } from '@opscrew/ports';

/**
 * The local tracker's workflow, the same shape as the Jira project's:
 * todo → in_progress → in_review → done | escalated, with the moves people
 * actually make (verification failed → back to in progress, reopen a done
 * ticket, take an escalated one back).
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  todo: ['in_progress', 'escalated', 'done'],
  in_progress: ['in_review', 'escalated', 'todo', 'done'],
  in_review: ['done', 'in_progress', 'escalated'],
  escalated: ['in_progress', 'done'],
  done: ['todo'],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TICKET_TRANSITIONS[from].includes(to);
}
