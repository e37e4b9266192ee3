import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type ConsumedEvent, OnBusEvent } from '@opscrew/messaging';
import { LearningService } from './learning/learning.service';

/**
 * demo-controller's scoring consumers on the JetStream transport: what the crew does during a
 * run (incidents, remediations, locks) feeds LearningService, which keeps the use cases. Started
 * after the app's bootstrap hooks (DemoControllerLifecycle opens the runs first).
 */
@Controller()
export class ScoringController {
  constructor(private readonly learning: LearningService) {}

  @OnBusEvent('demo-controller-incidents')
  async incident(@Payload() event: ConsumedEvent<'demo-controller-incidents'>): Promise<void> {
    await this.learning.onIncidentEvent(event);
  }

  @OnBusEvent('demo-controller-remediations')
  async remediation(
    @Payload() event: ConsumedEvent<'demo-controller-remediations'>,
  ): Promise<void> {
    await this.learning.onRemediationEvent(event);
  }

  @OnBusEvent('demo-controller-locks')
  async lock(@Payload() event: ConsumedEvent<'demo-controller-locks'>): Promise<void> {
    await this.learning.onLockEvent(event);
  }
}
