import { type EscalationConfig } from '@opscrew/config';
import { type IncidentEscalatedEvent, type PayloadOf } from '@opscrew/contracts';
import { type PublishOptions } from '@opscrew/messaging';
import { type AuditEntry, type AuditSink } from '../../audit/audit.port';
import { type EnqueueResult, type OutboxCommand } from '../../outbox/outbox.commands';
import {
  type EscalationEventPublisher,
  type EscalationLogger,
  type EscalationOutbox,
} from '../escalation.ports';

/** The shipped chain: L1 10 min, L2 30 min (@oncall-engineer), L3 60 min (@team-lead). */
export function escalationConfig(
  minutes: { L1?: number; L2?: number; L3?: number } = {},
): EscalationConfig {
  return {
    levels: {
      L1: {
        description: 'Automatic remediation by the runbook',
        handler: 'jira-resolver',
        timeout_minutes: minutes.L1 ?? 10,
      },
      L2: {
        description: 'Page the on-call engineer',
        handler: 'discord_mention',
        mention: '@oncall-engineer',
        timeout_minutes: minutes.L2 ?? 30,
      },
      L3: {
        description: 'Page the team lead',
        handler: 'discord_mention',
        mention: '@team-lead',
        timeout_minutes: minutes.L3 ?? 60,
      },
    },
  };
}

export function idempotencyKeyOf(command: OutboxCommand): string {
  return command.kind === 'ticket.create'
    ? command.draft.idempotency_key
    : command.kind === 'notify'
      ? command.notification.idempotency_key
      : command.idempotency_key;
}

/**
 * Idempotent by key like the real outbox: `calls` has every enqueue,
 * `items` one entry per key (the first command), `created` the keys in the
 * order they were first stored. Can be shared by several service instances.
 */
export class RecordingOutbox implements EscalationOutbox {
  readonly calls: OutboxCommand[] = [];
  readonly items = new Map<string, OutboxCommand>();
  readonly created: string[] = [];
  /** Errors for the next enqueue calls, in order (simulates a crash mid-step). */
  readonly failures: (Error | null)[] = [];

  enqueue(command: OutboxCommand): Promise<EnqueueResult> {
    const failure = this.failures.shift() ?? null;
    if (failure !== null) return Promise.reject(failure);
    this.calls.push(command);
    const key = idempotencyKeyOf(command);
    if (this.items.has(key)) return Promise.resolve({ key, created: false, state: 'pending' });
    this.items.set(key, command);
    this.created.push(key);
    return Promise.resolve({ key, created: true, state: 'pending' });
  }

  /** Stored notifications (one per key), in creation order. */
  notifications(): Extract<OutboxCommand, { kind: 'notify' }>[] {
    return this.created
      .map((key) => this.items.get(key))
      .filter((c): c is Extract<OutboxCommand, { kind: 'notify' }> => c?.kind === 'notify');
  }
}

export interface PublishedEscalation {
  readonly id: string;
  readonly at: string;
  readonly payload: PayloadOf<IncidentEscalatedEvent>;
}

/** Records publishes; like JetStream's duplicate window, a repeated id is stored once. */
export class RecordingPublisher implements EscalationEventPublisher {
  readonly calls: PublishedEscalation[] = [];
  readonly stored = new Map<string, PublishedEscalation>();

  publish(
    _subject: 'incident.escalated',
    payload: PayloadOf<IncidentEscalatedEvent>,
    options: PublishOptions,
  ): Promise<unknown> {
    const event = {
      id: options.id ?? `random-${this.calls.length}`,
      at: String(options.at),
      payload,
    };
    this.calls.push(event);
    if (!this.stored.has(event.id)) this.stored.set(event.id, event);
    return Promise.resolve({ duplicate: false });
  }
}

export class RecordingAudit implements AuditSink {
  readonly entries: AuditEntry[] = [];
  readonly failures: (Error | null)[] = [];

  record(entry: AuditEntry): Promise<void> {
    const failure = this.failures.shift() ?? null;
    if (failure !== null) return Promise.reject(failure);
    this.entries.push(entry);
    return Promise.resolve();
  }

  actions(): string[] {
    return this.entries.map((entry) => `${entry.incident_id ?? '?'} ${entry.action}`);
  }
}

export class RecordingLogger implements EscalationLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}
