import { type BeforeApplicationShutdown } from '@nestjs/common';
import { type SchedulerRegistry } from '@nestjs/schedule';
import { type AnyEvent } from '@opscrew/contracts';
import { type ConsumerConfig } from 'nats';
import { type BackoffOptions } from './backoff';
import { ConsumerLoop, type ConsumerHandle, type EventHandler, nanosToMs } from './consumer-loop';
import { type ConsumerMetrics, NO_CONSUMER_METRICS } from './consumer-metrics';
import { type DeadLetterSampling } from './dead-letter.sampler';
import { DEFAULT_RETRY_BACKOFF } from './delivery-policy';
import { type EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { type SenderAudit } from './sender-audit';
import { isConsumerNotFound } from './nats-errors';
import { type ConsumedEvent, consumerDeclaration, type ConsumerName } from './topology';
import { consumerStream } from './topology.provisioner';

export interface ConsumeOptions {
  /** Aborting stops the consumer like `handle.stop()`. */
  signal?: AbortSignal;
  /** nak backoff by delivery count (default 1 s doubling to 60 s). */
  retry?: BackoffOptions;
  /** Messages buffered per pull; default from the topology declaration. */
  pull_batch?: number;
  /** Valid messages handled at once; default from the topology declaration. */
  concurrency?: number;
  /** Dead letters stored per kind and window; default DEFAULT_DEAD_LETTER_SAMPLING. */
  sampling?: DeadLetterSampling;
}

/**
 * Runs declared durable pull consumers with explicit ack: ack on success, nak
 * with backoff on a transient failure, term + `deadletter.<consumer>` record
 * on invalid input, a PermanentError, or the last allowed delivery. Dead letters
 * are counted in `metrics` (an agent's `/metrics`).
 */
export class EventConsumer implements BeforeApplicationShutdown {
  private readonly running = new Set<ConsumerHandle>();
  private senderAudit: SenderAudit | undefined;

  constructor(
    private readonly bus: NatsConnectionService,
    private readonly publisher: EventPublisher,
    private readonly metrics: ConsumerMetrics = NO_CONSUMER_METRICS,
    /** The app's scheduler, where each consumer's dead-letter flush is registered. */
    private readonly scheduler?: SchedulerRegistry,
  ) {}

  /**
   * Where refused senders (`source_mismatch`) are audited from now on, by every consumer of this
   * process, running or not yet started. Bound late because the agent's audit log is built above
   * the bus and publishes through it (agent-core's agentAuditProvider binds it).
   */
  auditSendersWith(audit: SenderAudit): void {
    this.senderAudit = audit;
  }

  /**
   * Starts consuming. Rejects when the consumer does not exist on the server
   * (provisioning did not run); once started, it survives reconnects.
   */
  async consume<N extends ConsumerName>(
    name: N,
    handler: EventHandler<ConsumedEvent<N>>,
    options: ConsumeOptions = {},
  ): Promise<ConsumerHandle> {
    const declaration = consumerDeclaration(name);
    const stream = consumerStream(this.bus.subjects, declaration);
    const jsm = await this.bus.jetstreamManager();
    let config: ConsumerConfig;
    try {
      config = (await jsm.consumers.info(stream, declaration.durable)).config;
    } catch (err: unknown) {
      if (isConsumerNotFound(err)) {
        throw new Error(
          `bus: consumer ${stream}/${declaration.durable} does not exist; provision the topology first`,
          { cause: err },
        );
      }
      throw err;
    }
    const loop = new ConsumerLoop(
      this.bus,
      this.publisher,
      {
        declaration,
        maxDeliver: config.max_deliver ?? declaration.max_deliver,
        ackWaitMs: nanosToMs(config.ack_wait, declaration.ack_wait_ms),
        pullBatch: options.pull_batch ?? declaration.pull_batch,
        concurrency: options.concurrency ?? declaration.concurrency,
        retry: options.retry ?? DEFAULT_RETRY_BACKOFF,
        ...(options.sampling === undefined ? {} : { sampling: options.sampling }),
        metrics: this.metrics,
        ...(this.scheduler === undefined ? {} : { scheduler: this.scheduler }),
        audit: {
          senderMismatch: (mismatch) =>
            this.senderAudit?.senderMismatch(mismatch) ?? Promise.resolve(),
        },
      },
      // The server filter guarantees the subject family; the loop checks it again before calling.
      handler as unknown as EventHandler<AnyEvent>,
      options.signal,
    );
    this.running.add(loop);
    void loop.done.finally(() => this.running.delete(loop));
    return loop;
  }

  /** Stops every running consumer (each waits for its running handlers). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((handle) => handle.stop()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }
}
