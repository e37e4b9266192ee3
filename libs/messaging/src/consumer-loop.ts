// Over ~300 lines: one pull consumer's loop (subscribe and re-subscribe, ordered per-key pool, progress pings,
// ack/nak/term and the dead letter) shares its state; the policy and the dead-letter sink are their own files.
import { Logger } from '@nestjs/common';
import { type SchedulerRegistry } from '@nestjs/schedule';
import {
  type AnyEvent,
  type DeadLetterKind,
  parseEvent,
  subjectMatches,
  errorMessage,
} from '@opscrew/contracts';
import { ConsumerEvents, type ConsumerMessages, type JsMsg, millis } from 'nats';
import { type BackoffOptions, backoffDelay } from './backoff';
import { type ConsumerMetrics, NO_CONSUMER_METRICS } from './consumer-metrics';
import { DEFAULT_DEAD_LETTER_SAMPLING, type DeadLetterSampling } from './dead-letter.sampler';
import { DeadLetterSink, safely } from './dead-letter.sink';
import { settle, type HandlerOutcome } from './delivery-policy';
import { type EventPublisher } from './event-publisher.service';
import { HandlerScheduler } from './handler.scheduler';
import { type BusUser } from './bus-user';
import { type NatsConnectionService } from './nats-connection.service';
import { checkSender } from './publisher-identity';
import { type SenderAudit } from './sender-audit';
import { type ConsumerDeclaration, type OrderKey } from './topology';
import { consumerStream } from './topology.provisioner';

export interface MessageMeta {
  /** Logical subject (namespace and publisher token stripped). */
  subject: string;
  /**
   * Who published it: the NATS user named by the subject's last token (the server only lets a
   * user publish on its own, see publisher-subject.ts), checked against BUS_GRANTS and the
   * payload's `source` before any handler sees it. null: unattributed (an outside system's bare
   * `incident.reported`). Decide trust by this, never by a payload field.
   */
  publisher: BusUser | null;
  /** Stream sequence: stable across redeliveries, an idempotency key. */
  seq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  redelivered: boolean;
}

export type EventHandler<E> = (event: E, meta: MessageMeta) => Promise<void> | void;

export interface ConsumerHandle {
  readonly name: string;
  /**
   * Stops pulling, naks messages no handler has started, waits for the running handlers and
   * the dead-letter records in flight. Idempotent.
   */
  stop(): Promise<void>;
  /** Settles when the consumer loop has ended. */
  readonly done: Promise<void>;
}

/**
 * How long one pull request waits on the server. The client notices a lost pull (its consumer's
 * leader was on a NATS node that died) only after two missed idle heartbeats, and the heartbeat
 * is half of this: the client's 30 s default kept a consumer deaf for ~30 s after a node kill.
 * 5 s brings that to ~5 s for one small pull request per consumer every 5 s when idle.
 */
export const PULL_EXPIRES_MS = 5_000;

export interface ConsumerLoopSettings {
  declaration: ConsumerDeclaration;
  /** From the server's consumer info (authoritative over the declaration). */
  maxDeliver: number;
  ackWaitMs: number;
  pullBatch: number;
  /** Valid messages handled at once (default: the declaration's `concurrency`). */
  concurrency?: number;
  retry: BackoffOptions;
  /** Dead letters stored per kind and window (default DEFAULT_DEAD_LETTER_SAMPLING). */
  sampling?: DeadLetterSampling;
  metrics?: ConsumerMetrics;
  /** Where a refused sender is audited, besides its dead letter (default: nowhere). */
  audit?: SenderAudit;
  /** Where the dead-letter summary flush is registered (default: a registry of its own). */
  scheduler?: SchedulerRegistry;
}

/**
 * Re-creating the pull iterator after it ended unexpectedly: quick first
 * retry, then up to 30 s apart so a missing consumer does not flood the logs.
 */
const RESUBSCRIBE_BACKOFF: BackoffOptions = { initial_delay_ms: 500, max_delay_ms: 30_000 };

/**
 * Every valid message in hand (waiting for a handler slot or being handled) gets an in-progress
 * ping (`working()`) every third of ack_wait so the server does not redeliver it meanwhile;
 * 15 min after it arrived we stop pinging and let redelivery happen, because a message held
 * that long is presumed stuck behind a hung handler.
 */
const MAX_IN_PROGRESS_MS = 15 * 60 * 1000;

/**
 * Runs one durable pull consumer until stopped. Each message is sorted the moment it arrives:
 * ignored → ack; invalid (wrong subject, not JSON, off-contract, a sender that may not publish it
 * or is not who it claims: source_mismatch) → dead-lettered and terminated
 * on the spot, without waiting for any handler; valid → handed to the HandlerScheduler, which
 * runs at most `concurrency` handlers, one at a time per `order_by` key. So a flood of bad
 * messages costs a parse each and never queues behind a slow handler, and a valid message
 * behind the flood reaches its handler as soon as a slot is free.
 */
export class ConsumerLoop implements ConsumerHandle {
  readonly name: string;
  readonly done: Promise<void>;
  private readonly logger: Logger;
  private readonly scheduler: HandlerScheduler;
  private readonly deadLetters: DeadLetterSink;
  /** Valid messages in hand, by arrival time: pinged until settled. */
  private readonly inHand = new Map<JsMsg, number>();
  private stopping = false;
  /** Whether the current subscription delivered anything (resubscribe backoff resets). */
  private delivered = false;
  private stopped: Promise<void> | null = null;
  private messages: ConsumerMessages | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly bus: NatsConnectionService,
    publisher: EventPublisher,
    private readonly settings: ConsumerLoopSettings,
    private readonly handler: EventHandler<AnyEvent>,
    signal?: AbortSignal,
  ) {
    this.name = settings.declaration.durable;
    this.logger = new Logger(`Consumer ${this.name}`);
    this.scheduler = new HandlerScheduler(settings.concurrency ?? settings.declaration.concurrency);
    this.deadLetters = new DeadLetterSink({
      consumer: this.name,
      publisher,
      metrics: settings.metrics ?? NO_CONSUMER_METRICS,
      sampling: settings.sampling ?? DEFAULT_DEAD_LETTER_SAMPLING,
      retry_delay_ms: settings.retry.initial_delay_ms,
      ...(settings.scheduler === undefined ? {} : { scheduler: settings.scheduler }),
    });
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
    this.messages?.stop();
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
    const pings = setInterval(
      () => this.ping(),
      Math.max(1_000, Math.floor(this.settings.ackWaitMs / 3)),
    );
    try {
      await this.pull();
    } finally {
      // Not started: back to the server for immediate redelivery. Started: let them finish.
      this.scheduler.cancelPending();
      await this.scheduler.idle();
      await this.deadLetters.close();
      clearInterval(pings);
    }
  }

  /**
   * Pulls in callback mode: the client hands over every message of a socket read in one
   * synchronous run, so the acks and terms it causes leave in one write. (An async iterator
   * costs a write per message; with a flood that was most of the time.)
   */
  private async pull(): Promise<void> {
    const { declaration } = this.settings;
    const stream = consumerStream(this.bus.subjects, declaration);
    let failures = 0;
    while (!this.stopping) {
      this.delivered = false;
      let messages: ConsumerMessages | null = null;
      try {
        const consumer = await this.bus.jetstream().consumers.get(stream, declaration.durable);
        messages = await consumer.consume({
          max_messages: this.settings.pullBatch,
          expires: PULL_EXPIRES_MS,
          callback: (m) => this.take(m),
        });
        this.messages = messages;
        if (this.stopping) messages.stop();
        void this.watch(messages);
        const ended = await messages.closed();
        if (ended instanceof Error) throw ended;
        if (!this.stopping) {
          this.logger.warn(`message subscription ended unexpectedly; re-creating it`);
        }
      } catch (err: unknown) {
        if (this.stopping) break;
        this.logger.error(`pull consumer failed: ${errorMessage(err)}; re-creating it`);
      } finally {
        this.messages = null;
        // Unsubscribes at once: no orphaned pulls.
        messages?.stop();
      }
      if (this.stopping) break;
      failures = this.delivered ? 1 : failures + 1;
      await this.sleep(backoffDelay(failures, RESUBSCRIBE_BACKOFF));
    }
  }

  /** The pull's callback: must not throw (the client would end the subscription). */
  private take(m: JsMsg): void {
    if (this.stopping) {
      // Arrived after stop: hand it back for immediate redelivery.
      safely(() => m.nak());
      return;
    }
    this.delivered = true;
    try {
      this.receive(m);
    } catch (err: unknown) {
      this.logger.error(`could not take seq=${m.seq}: ${errorMessage(err)}; nak`);
      safely(() => m.nak(this.settings.retry.initial_delay_ms));
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

  /** Sorts one message as it arrives; never waits on a handler. */
  private receive(m: JsMsg): void {
    const { declaration } = this.settings;
    const attributed = this.bus.subjects.fromWire(m.subject);
    const logical = attributed?.logical ?? null;
    const meta: MessageMeta = {
      subject: logical ?? m.subject,
      publisher: attributed?.publisher ?? null,
      seq: m.seq,
      deliveryCount: m.info.deliveryCount,
      redelivered: m.redelivered,
    };
    if (logical === null) {
      return this.reject(
        m,
        meta,
        'wrong_subject',
        `${m.subject}: subject is outside namespace "${this.bus.subjects.namespace ?? ''}"`,
      );
    }
    if (!subjectMatches(declaration.filter, logical)) {
      return this.reject(
        m,
        meta,
        'wrong_subject',
        `${logical}: not matched by consumer filter ${declaration.filter}`,
      );
    }
    if (declaration.ignores?.some((subject) => subjectMatches(subject, logical))) {
      // Not this consumer's business (its family filter delivers it anyway): acked unread.
      safely(() => m.ack());
      return;
    }
    const parsed = parseEvent(logical, m.data);
    if (!parsed.ok) {
      return this.reject(m, meta, parsed.kind, parsed.reason);
    }
    const event = parsed.event;
    // Who sent it is decided by the subject the server let its publisher use, not by `source`.
    const sender = checkSender(logical, meta.publisher, event.source);
    if (!sender.ok) {
      return this.refuseSender(m, meta, event.source, sender.reason);
    }
    this.inHand.set(m, Date.now());
    this.scheduler.submit(orderKey(event, declaration.order_by), {
      run: () => this.handle(m, event, meta),
      cancel: () => {
        this.inHand.delete(m);
        safely(() => m.nak());
      },
    });
  }

  /** Runs the handler and settles the message (ack, nak with backoff, or dead letter). */
  private async handle(m: JsMsg, event: AnyEvent, meta: MessageMeta): Promise<void> {
    const outcome = await this.runHandler(event, meta);
    this.inHand.delete(m);
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
        return this.reject(m, meta, settlement.kind, `${meta.subject}: ${settlement.reason}`);
    }
  }

  private async runHandler(event: AnyEvent, meta: MessageMeta): Promise<HandlerOutcome> {
    try {
      await this.handler(event, meta);
      return { ok: true };
    } catch (error: unknown) {
      return { ok: false, error };
    }
  }

  /** Term + dead-letter record (sampled for malformed input); see DeadLetterSink. */
  private reject(m: JsMsg, meta: MessageMeta, kind: DeadLetterKind, reason: string): void {
    this.deadLetters.reject(m, meta, kind, reason);
  }

  /**
   * A sender that may not publish this, or is not who `source` claims: dead-lettered as
   * `source_mismatch` and audited (unless a flood summary stands for it), never handled.
   */
  private refuseSender(m: JsMsg, meta: MessageMeta, claimed: string, reason: string): void {
    const own = this.deadLetters.reject(m, meta, 'source_mismatch', reason);
    const audit = this.settings.audit;
    if (!own || audit === undefined) return;
    audit
      .senderMismatch({
        consumer: this.name,
        subject: meta.subject,
        claimed,
        publisher: meta.publisher,
        seq: meta.seq,
        reason,
      })
      .catch((err: unknown) =>
        this.logger.error(
          `could not audit the refused sender of seq=${meta.seq}: ${errorMessage(err)}`,
        ),
      );
  }

  /** In-progress pings for every valid message in hand, so none is redelivered meanwhile. */
  private ping(): void {
    const now = Date.now();
    for (const [m, since] of this.inHand) {
      if (now - since < MAX_IN_PROGRESS_MS) safely(() => m.working());
    }
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

/** The value of the declaration's `order_by` field, when the event has it as a string. */
function orderKey(event: AnyEvent, field: OrderKey | undefined): string | undefined {
  if (field === undefined) return undefined;
  const value = (event as unknown as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

export function nanosToMs(value: number | undefined, fallback: number): number {
  return value === undefined || value <= 0 ? fallback : millis(value);
}
