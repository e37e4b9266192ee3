import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  type IncidentDetectedEvent,
  type IncidentUpdatedEvent,
  type LockReleasedEvent,
} from '@opscrew/contracts';
import { JetStreamContext, OnBusEvent } from '@opscrew/messaging';
import { IncidentIntakeService } from './incident-intake.service';

/**
 * jira-resolver's bus handlers on the JetStream transport, one per declared durable; the use
 * cases stay in IncidentIntakeService. A PermanentError dead-letters the message, anything
 * else redelivers it with backoff.
 */
@Controller()
export class IncidentIntakeController {
  constructor(private readonly intake: IncidentIntakeService) {}

  /** New incidents become remediation runs (the publisher decides who gets a ticket). */
  @OnBusEvent('jira-resolver-incidents')
  async detected(
    @Payload() event: IncidentDetectedEvent,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    await this.intake.receive(event, ctx.getMeta());
  }

  /** A recurrence after resolution is a new attempt within max_retries. */
  @OnBusEvent('jira-resolver-reopened')
  async updated(@Payload() event: IncidentUpdatedEvent): Promise<void> {
    await this.intake.reopened(event);
  }

  /** A released lock wakes deferred runs at once. */
  @OnBusEvent('jira-resolver-locks')
  released(@Payload() event: LockReleasedEvent): void {
    this.intake.lockReleased(event);
  }
}
