import { BaseRpcContext } from '@nestjs/microservices';
import { type BusUser } from '../bus-user';
import { type MessageMeta } from '../consumer-loop';
import { type ConsumerName } from '../topology';

/** What a bus handler learns about the message beside its payload: `@Ctx() ctx: JetStreamContext`. */
export interface JetStreamMeta extends MessageMeta {
  /** The durable consumer that delivered it. */
  readonly durable: ConsumerName;
}

/**
 * The execution context of a JetStream bus handler. Trust decisions use `getPublisher()` (the bus
 * user the server let publish on that subject), never a payload field.
 */
export class JetStreamContext extends BaseRpcContext<[JetStreamMeta]> {
  constructor(meta: JetStreamMeta) {
    super([meta]);
  }

  getMeta(): JetStreamMeta {
    return this.args[0];
  }

  /** Logical subject (namespace and publisher token stripped). */
  getSubject(): string {
    return this.args[0].subject;
  }

  /** Who published it; null for an unattributed outside report. */
  getPublisher(): BusUser | null {
    return this.args[0].publisher;
  }

  /** Stream sequence: stable across redeliveries, an idempotency key. */
  getSeq(): number {
    return this.args[0].seq;
  }

  /** 1 on first delivery. */
  getDeliveryCount(): number {
    return this.args[0].deliveryCount;
  }

  getDurable(): ConsumerName {
    return this.args[0].durable;
  }
}
