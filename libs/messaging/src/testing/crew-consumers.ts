import { type ConsumerHandle, type EventHandler } from '../consumer-loop';
import { type ConsumerMetrics } from '../consumer-metrics';
import { type ConsumeOptions, EventConsumer } from '../event-consumer.service';
import { EventPublisher } from '../event-publisher.service';
import { type NatsConnectionService } from '../nats-connection.service';
import { consumerOwner } from '../publisher-identity';
import { type SenderAudit } from '../sender-audit';
import { type ConsumedEvent, type ConsumerName } from '../topology';

/**
 * EventConsumer for tests that run consumers of several agents on one connection: each consumer
 * runs as its owner would (its dead letters go out as that user, `deadletter.<consumer>.<owner>`),
 * so atlas-deadletters accepts them as it does in production.
 */
export class CrewConsumers {
  private readonly byOwner = new Map<string, EventConsumer>();

  constructor(
    private readonly bus: NatsConnectionService,
    private readonly metrics?: ConsumerMetrics,
    private readonly audit?: SenderAudit,
  ) {}

  consume<N extends ConsumerName>(
    name: N,
    handler: EventHandler<ConsumedEvent<N>>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle> {
    return this.of(name).consume(name, handler, options);
  }

  /** The EventConsumer of the process that owns `name`. */
  of(name: ConsumerName): EventConsumer {
    const owner = consumerOwner(name);
    let consumer = this.byOwner.get(owner);
    if (consumer === undefined) {
      // Only crew processes own durables; reporter and admin consume nothing.
      const source = owner === 'reporter' || owner === 'admin' ? 'external' : owner;
      consumer = new EventConsumer(
        this.bus,
        new EventPublisher(this.bus, source, owner),
        this.metrics,
      );
      if (this.audit !== undefined) consumer.auditSendersWith(this.audit);
      this.byOwner.set(owner, consumer);
    }
    return consumer;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.byOwner.values()].map((consumer) => consumer.stopAll()));
  }
}
