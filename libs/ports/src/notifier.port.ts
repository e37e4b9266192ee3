/**
 * The notifier port: messages for humans. The embedded default writes to the
 * console and one JSON object per message to a JSONL file (exactly what Discord
 * would get); the Discord adapter posts webhook embeds.
 */
export interface NotificationField {
  readonly name: string;
  readonly value: string;
  readonly inline?: boolean;
}

export interface Notification {
  /** Unique per logical message: a retried delivery is recognised by it. */
  readonly idempotency_key: string;
  readonly kind: 'incident' | 'escalation' | 'resolution' | 'report' | 'summary';
  readonly severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  readonly title: string;
  readonly text: string;
  readonly fields: readonly NotificationField[];
  /** Role names (as in escalation config, without `@`) to ping; only configured on-call roles pass. */
  readonly mention_roles?: readonly string[];
  readonly url?: string;
  readonly incident_id?: string;
}

export interface NotifierPort {
  readonly kind: string;
  send(notification: Notification): Promise<void>;
}

export const NOTIFIER = Symbol('NOTIFIER');
