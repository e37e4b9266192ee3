import { type SchedulerRegistry } from '@nestjs/schedule';
import { type EscalationConfig } from '@opscrew/config';
import {
  type EscalationRecord,
  type IncidentEscalatedEvent,
  type PayloadOf,
  type SUBJECTS,
} from '@opscrew/contracts';
import { type Clock, type PublishOptions, type TypedKv } from '@opscrew/messaging';
import { type AuditSink } from '@opscrew/ports';
import { type EnqueueResult, type OutboxCommand } from '../outbox/outbox.commands';
import { type EscalationOptions } from './escalation-options';

/** What the engine needs of the outbox: OutboxService fits. Same idempotency key twice: a no-op. */
export interface EscalationOutbox {
  enqueue(command: OutboxCommand): Promise<EnqueueResult>;
}

/** What the engine needs of the bus: EventPublisher fits (it sends the id as Nats-Msg-Id). */
export interface EscalationEventPublisher {
  publish(
    subject: typeof SUBJECTS.incidentEscalated,
    payload: PayloadOf<IncidentEscalatedEvent>,
    options: PublishOptions,
  ): Promise<unknown>;
}

/** Nest's Logger fits. */
export interface EscalationLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EscalationDependencies {
  /** The `escalations` bucket (see openEscalationKv). */
  readonly kv: TypedKv<EscalationRecord>;
  readonly outbox: EscalationOutbox;
  readonly publisher: EscalationEventPublisher;
  readonly audit: AuditSink;
  /** `thresholds.escalation` of the loaded config. */
  readonly config: EscalationConfig;
  readonly clock?: Clock;
  readonly logger?: EscalationLogger;
  readonly options?: Partial<EscalationOptions>;
  /** Where the tick is registered: the app's scheduler (default: a registry of its own). */
  readonly scheduler?: SchedulerRegistry;
}
