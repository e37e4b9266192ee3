import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type AnyEvent,
  IncidentDetectedEvent,
  IncidentEscalatedEvent,
  IncidentResolvedEvent,
  IncidentUpdatedEvent,
} from '@opscrew/contracts';
import {
  type ConsumerHandle,
  EventConsumer,
  IncidentLedger,
  type LifecycleEvent,
  type MessageMeta,
  PermanentError,
} from '@opscrew/messaging';

/**
 * Keeps the incident ledger in step with the bus: every `incident.*` event,
 * from any agent or a user's `opscrew incident inject`, lands in the
 * `incidents` bucket exactly once (CAS writes, idempotent by event id).
 */
@Injectable()
export class LedgerRecorder implements OnApplicationBootstrap {
  private readonly logger = new Logger(LedgerRecorder.name);
  private handle: ConsumerHandle | null = null;

  constructor(
    private readonly consumer: EventConsumer,
    private readonly ledger: IncidentLedger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.consumer.consume('atlas-ledger', (event, meta) =>
      this.record(event, meta),
    );
  }

  get running(): boolean {
    return this.handle !== null;
  }

  async record(event: AnyEvent, meta: MessageMeta): Promise<void> {
    if (event instanceof IncidentDetectedEvent) {
      const { created, record } = await this.ledger.open(event);
      this.logger.log(
        `${created ? 'recorded' : 'already recorded'} ${record.incident_id}: ${record.service} ${record.symptom} ` +
          `(${record.severity}, from ${record.detected_by}, seq ${meta.seq})`,
      );
      return;
    }
    const kind = LIFECYCLE.find(([type]) => event instanceof type)?.[1];
    if (kind === undefined)
      throw new PermanentError(`atlas-ledger: unexpected event on ${meta.subject}`);
    const lifecycle = event as LifecycleEvent;
    const applied = await this.ledger.apply(lifecycle, kind);
    this.logger.log(`${lifecycle.incident_id} ${kind}${applied ? '' : ' (already applied)'}`);
  }
}

const LIFECYCLE = [
  [IncidentUpdatedEvent, 'updated'],
  [IncidentResolvedEvent, 'resolved'],
  [IncidentEscalatedEvent, 'escalated'],
] as const;
