import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NatsConnectionService } from '@opscrew/messaging';

/** Up only while the NATS connection is established; otherwise down with the state as reason. */
@Injectable()
export class NatsHealthIndicator {
  constructor(
    private readonly bus: NatsConnectionService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  isHealthy(key = 'nats') {
    const status = this.bus.status();
    const indicator = this.indicators.check(key);
    return status === 'connected'
      ? indicator.up({ state: status })
      : indicator.down({ state: status, message: `NATS is ${status}` });
  }
}
