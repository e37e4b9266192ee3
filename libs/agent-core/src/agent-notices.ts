import { type Notification } from '@opscrew/ports';

/**
 * Where an agent's liveness notices go: its outbox (OutboxService, or the app's OUTBOX alias,
 * satisfies this as is). The outbox is shared and idempotent by kind and key, so two agents
 * enqueuing the same key make one notification: the item is the "first one wins" marker.
 */
export interface AgentNotices {
  enqueue(command: {
    readonly kind: 'notify';
    readonly notification: Notification;
  }): Promise<{ readonly created: boolean }>;
}

/** Optional provider: an app without it logs its liveness notices only. */
export const AGENT_NOTICES = Symbol('AGENT_NOTICES');

/**
 * The idempotency key of a liveness notice: what it is about and the last heartbeat that went
 * missing (`atlas-stale:2026-11-24T10:00:00.000Z`), the same in every agent that reads it.
 */
export function noticeKey(prefix: string, since: string | null): string {
  return `${prefix}:${since ?? 'never'}`;
}
