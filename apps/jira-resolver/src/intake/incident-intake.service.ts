import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type IncidentDetectedEvent } from '@opscrew/contracts';
import { EventConsumer, type MessageMeta } from '@opscrew/messaging';

/**
 * jira-resolver's intake: the durable `jira-resolver-incidents` consumer on
 * `incident.detected`. Each incident is received, logged and acknowledged;
 * the runbook remediation it will trigger builds on this handler.
 */
@Injectable()
export class IncidentIntakeService implements OnApplicationBootstrap {
  private readonly logger = new Logger(IncidentIntakeService.name);

  constructor(private readonly consumer: EventConsumer) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.consume('jira-resolver-incidents', (event, meta) =>
      this.receive(event, meta),
    );
  }

  receive(event: IncidentDetectedEvent, meta: MessageMeta): void {
    // Idempotent by construction: receiving the same incident twice changes nothing.
    this.logger.log(
      `received ${event.incident_id}: ${event.service} ${event.symptom} = ${event.value}` +
        `${event.threshold !== undefined ? ` (threshold ${event.threshold})` : ''}, severity ${event.severity}, ` +
        `from ${event.source}${event.informational ? ', informational (lock held): no remediation' : ''}` +
        `${meta.redelivered ? `, redelivery #${meta.deliveryCount}` : ''}`,
    );
  }
}
