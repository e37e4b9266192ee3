import { type EscalationConfig } from '@opscrew/config';
import { type IncidentEscalatedEvent, type PayloadOf } from '@opscrew/contracts';
import { type PublishOptions } from '@opscrew/messaging';
import { type EscalationEventPublisher, type EscalationLogger } from '../escalation.ports';

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
