import { Logger } from '@nestjs/common';
import {
  type AnyEvent,
  deadLetterSubject,
  NOTE_MAX_LENGTH,
  parseEvent,
  subjectMatches,
  truncateRaw,
  truncateText,
} from '@opscrew/contracts';
import { ConsumerEvents, type ConsumerMessages, type JsMsg, millis } from 'nats';
import { type BackoffOptions, backoffDelay } from './backoff';
import { settle, type HandlerOutcome } from './delivery-policy';
import { type EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { errorMessage } from './nats-errors';
import { type ConsumerDeclaration } from './topology';

export interface MessageMeta {
  /** Logical subject (namespace stripped). */
  subject: string;
  /** Stream sequence: stable across redeliveries, an idempotency key. */
  seq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  redelivered: boolean;
}

export type EventHandler<E> = (event: E, meta: MessageMeta) => Promise<void> | void;

export interface ConsumerHandle {
  readonly name: string;
  /** Stops pulling, waits for the in-flight handler, naks buffered messages. Idempotent. */
  stop(): Promise<void>;
  /** Settles when the consumer loop has ended. */
  readonly done: Promise<void>;
}

export interface ConsumerLoopSettings {
  declaration: ConsumerDeclaration;
  /** From the server's consumer info (authoritative over the declaration). */
  maxDeliver: number;
  ackWaitMs: number;
  pullBatch: number;
  retry: BackoffOptions;
}

/**
 * Re-creating the pull iterator after it ended unexpectedly: quick first
 * retry, then up to 30 s apart so a missing consumer does not flood the logs.
 */
const RESUBSCRIBE_BACKOFF: BackoffOptions = { initial_delay_ms: 500, max_delay_ms: 30_000 };

/**
 * A slow handler sends in-progress pings (`working()`) every third of ack_wait so
 * the server does not redeliver it mid-flight; after 15 min we stop pinging and
 * let redelivery happen, because a handler that long is presumed hung.
 */
const MAX_IN_PROGRESS_MS = 15 * 60 * 1000;

/** Runs one durable pull consumer until stopped. */
export class ConsumerLoop implements ConsumerHandle {
  readonly name: string;
  readonly done: Promise<void>;
  private readonly logger: Logger;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private messages: ConsumerMessages | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly bus: NatsConnectionService,
    private readonly publisher: EventPublisher,
    private readonly settings: ConsumerLoopSettings,
    private readonly handler: EventHandler<AnyEvent>,
    signal?: AbortSignal,
  ) {
    this.name = settings.declaration.durable;
    this.logger = new Logger(`Consumer ${this.name}`);
    if (signal?.aborted) {
      this.stopping = true;
    }
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.done = this.run();
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    // close() only settles once the iterator consumed its stop marker, i.e. when
    // run() gets there after the in-flight handler: wait for run() instead.
    void this.messages?.close().catch(() => undefined);
    await this.done;
    // Push the last acks/naks out before the caller closes the connection.
    if (this.bus.status() !== 'closed') {
      await this.bus
        .connection()
        .flush()
        .catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    const { declaration } = this.settings;
    const stream = this.bus.subjects.stream();
    let failures = 0;
    while (!this.stopping) {
      let delivered = false;
      let messages: ConsumerMessages | null = null;
      try {
        const consumer = await this.bus.jetstream().consumers.get(stream, declaration.durable);
        messages = await consumer.consume({ max_messages: this.settings.pullBatch });
        this.messages = messages;
        if (this.stopping) {
          void messages.close(); // the loop below drains to the stop marker
        }
        void this.watch(messages);
        for await (const m of messages) {
          delivered = true;
          if (this.stopping) {
            // Buffered but not started: hand it back for immediate redelivery.
            safely(() => m.nak());
            continue;
          }
          await this.process(m);
        }
        if (!this.stopping) {
          this.logger.warn(`message iterator ended unexpectedly; re-creating it`);
        }
      } catch (err: unknown) {
        if (this.stopping) break;
        this.logger.error(`pull consumer failed: ${errorMessage(err)}; re-creating it`);
      } finally {
        this.messages = null;
        // Unsubscribes at once (the returned promise may never settle here): no orphaned pulls.
        void messages?.close().catch(() => undefined);
      }
      if (this.stopping) break;
      failures = delivered ? 1 : failures + 1;
      await this.sleep(backoffDelay(failures, RESUBSCRIBE_BACKOFF));
    }
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of await messages.status()) {
        switch (s.type) {
          case ConsumerEvents.HeartbeatsMissed:
            this.logger.warn(`missed ${String(s.data)} server heartbeats (the client re-pulls)`);
            break;
          case ConsumerEvents.ConsumerNotFound:
          case ConsumerEvents.StreamNotFound:
          case ConsumerEvents.NoResponders:
            this.logger.warn(`${s.type} (attempt ${String(s.data)}); retrying`);
            break;
          case ConsumerEvents.ConsumerDeleted:
            this.logger.error('consumer was deleted on the server; re-creating the iterator');
            void messages.close();
            break;
          default:
            break;
        }
      }
    } catch (err: unknown) {
      this.logger.warn(`status watch ended: ${errorMessage(err)}`);
    }
  }

  private async process(m: JsMsg): Promise<void> {
    const { declaration } = this.settings;
    const logical = this.bus.subjects.toLogical(m.subject);
    const meta: MessageMeta = {
      subject: logical ?? m.subject,
      seq: m.seq,
      deliveryCount: m.info.deliveryCount,
      redelivered: m.redelivered,
    };
    if (logical === null) {
      return this.reject(
        m,
        meta,
        `${m.subject}: subject is outside namespace "${this.bus.subjects.namespace ?? ''}"`,
      );
    }
    if (!subjectMatches(declaration.filter, logical)) {
      return this.reject(
        m,
        meta,
        `${logical}: not matched by consumer filter ${declaration.filter}`,
      );
    }
    const parsed = parseEvent(logical, m.data);
    if (!parsed.ok) {
      return this.reject(m, meta, parsed.reason);
    }
    const outcome = await this.runHandler(m, parsed.event, meta);
    const settlement = settle(
      outcome,
      meta.deliveryCount,
      this.settings.maxDeliver,
      this.settings.retry,
    );
    switch (settlement.action) {
      case 'ack':
        safely(() => m.ack());
        return;
      case 'nak':
        this.logger.warn(
          `${meta.subject} seq=${meta.seq} delivery ${meta.deliveryCount}: ${settlement.reason}; redelivery in ${settlement.delay_ms} ms`,
        );
        safely(() => m.nak(settlement.delay_ms));
        return;
      case 'deadletter':
        return this.reject(m, meta, `${meta.subject}: ${settlement.reason}`);
    }
  }

  private async runHandler(m: JsMsg, event: AnyEvent, meta: MessageMeta): Promise<HandlerOutcome> {
    const interval = Math.max(1_000, Math.floor(this.settings.ackWaitMs / 3));
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started < MAX_IN_PROGRESS_MS) {
        safely(() => m.working());
      }
    }, interval);
    try {
      await this.handler(event, meta);
      return { ok: true };
    } catch (error: unknown) {
      return { ok: false, error };
    } finally {
      clearInterval(timer);
    }
  }

  /** term + dead-letter record; if the record cannot be published, nak so nothing is lost. */
  private async reject(m: JsMsg, meta: MessageMeta, reason: string): Promise<void> {
    const consumer = this.name;
    this.logger.warn(
      `dead-lettering: consumer=${consumer} subject=${meta.subject} seq=${meta.seq} reason=${reason}`,
    );
    if (meta.subject.startsWith('deadletter.')) {
      // A dead letter about a dead letter would loop through this very consumer.
      this.logger.error(
        `not re-dead-lettering seq=${meta.seq}: it is itself a dead letter; terminated`,
      );
      safely(() => m.term());
      return;
    }
    try {
      await this.publisher.publish(
        deadLetterSubject(consumer),
        {
          consumer,
          subject: truncateText(meta.subject, 512),
          stream_seq: meta.seq,
          delivery_count: meta.deliveryCount,
          reason: truncateText(reason, NOTE_MAX_LENGTH),
          raw: truncateRaw(m.data),
          received_at: new Date().toISOString(),
        },
        // One record per message and consumer, even if this step is retried.
        { id: `dl:${consumer}:${meta.seq}` },
      );
    } catch (err: unknown) {
      const delay = this.settings.retry.initial_delay_ms;
      this.logger.error(
        `could not publish dead letter for seq=${meta.seq} (${errorMessage(err)}); nak, retry in ${delay} ms`,
      );
      safely(() => m.nak(delay));
      return;
    }
    safely(() => m.term());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** ack/nak/term publish on the connection; a closed connection must not kill the loop. */
function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The server redelivers after ack_wait: nothing is lost.
  }
}

export function nanosToMs(value: number | undefined, fallback: number): number {
  return value === undefined || value <= 0 ? fallback : millis(value);
}
