import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  type DeadLetterKind,
  deadLetterSubject,
  FIXED_SUBJECTS,
  NOTE_MAX_LENGTH,
  truncateRaw,
  truncateText,
  errorMessage,
} from '@opscrew/contracts';
import { type JsMsg } from 'nats';
import { type ConsumerMetrics } from './consumer-metrics';
import { type DeadLetterSampling, DeadLetterSampler } from './dead-letter.sampler';
import { type EventPublisher } from './event-publisher.service';
import { PeriodicTask } from './periodic-task';

/** Where a dead letter came from: the same facts a handler gets about its message. */
export interface DeadLetterMeta {
  /** Logical subject (the wire subject when it is outside the namespace). */
  readonly subject: string;
  readonly seq: number;
  readonly deliveryCount: number;
}

export interface DeadLetterSinkOptions {
  readonly consumer: string;
  readonly publisher: EventPublisher;
  readonly metrics: ConsumerMetrics;
  readonly sampling: DeadLetterSampling;
  /** nak delay when a record cannot be stored (the message comes back and is tried again). */
  readonly retry_delay_ms: number;
  readonly now?: () => number;
  /** Where the summary flush is registered (the app's; default: a registry of its own). */
  readonly scheduler?: SchedulerRegistry;
}

/** Sinks alive in this process: each flush interval gets a unique name (two loops may share a consumer in tests). */
let sinkSerial = 0;

/**
 * Malformed input is what floods: an unparsable or off-contract message is the same mistake
 * thousands of times over, and so is a forged sender. Those kinds are sampled. A message a handler gave up on (permanent,
 * max_deliveries) was a valid event: each one is stored, never summarised.
 */
const SAMPLED_KINDS: ReadonlySet<DeadLetterKind> = new Set([
  'invalid_json',
  'schema',
  'unknown_subject',
  'wrong_subject',
  // Forgeries flood like malformed input; each one is counted and audited while stored.
  'source_mismatch',
]);

interface SuppressedMessage {
  readonly meta: DeadLetterMeta;
  readonly kind: DeadLetterKind;
  readonly reason: string;
  readonly data: Uint8Array;
  /** Epoch ms (formatted only if the record is published: a flood costs no date strings). */
  readonly received_ms: number;
}

/**
 * Sets messages aside for one consumer, off the consumer loop's path: a stored record is
 * published in the background and the message terminated once the record is safe (nak if it
 * cannot be stored, so nothing is lost); a sampled-out one is terminated at once and counted,
 * and one summary record per key and window says how many there were. Every rejection counts
 * in `opscrew_deadletters_total{consumer,reason}`.
 *
 * Records in flight need no bound of their own: sampling stores at most `stored_per_window`
 * per key (a bounded set of keys) and window, and handler failures come at most
 * `concurrency` at a time.
 */
export class DeadLetterSink {
  private readonly logger: Logger;
  private readonly sampler: DeadLetterSampler<SuppressedMessage>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly flush: PeriodicTask<void>;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: DeadLetterSinkOptions) {
    this.logger = new Logger(`Consumer ${options.consumer}`);
    const now = options.now ?? Date.now;
    this.sampler = new DeadLetterSampler(options.sampling, now);
    this.flush = new PeriodicTask(
      `dead-letter-summaries:${options.consumer}#${++sinkSerial}`,
      options.scheduler ?? new SchedulerRegistry(),
      () => Promise.resolve(this.flushDue()),
      { onError: (error) => this.logger.error(`dead-letter flush failed: ${errorMessage(error)}`) },
    );
    // Summaries go out within half a window of the window's end. Unref'd: a sink never keeps
    // the process alive on its own (the consumer's connection does while it runs).
    this.flush.start(Math.max(1_000, options.sampling.window_ms / 2), false, { unref: true });
  }

  /**
   * Sets `m` aside for `kind`: never throws, never waits. False when it was sampled out (a flood
   * summary stands for it), true when it is set aside on its own.
   */
  reject(m: JsMsg, meta: DeadLetterMeta, kind: DeadLetterKind, reason: string): boolean {
    const { consumer, metrics } = this.options;
    if (meta.subject.startsWith('deadletter.')) {
      // A dead letter about a dead letter would loop through this very consumer.
      metrics.deadLettered(consumer, kind, false);
      this.logger.error(
        `not re-dead-lettering seq=${meta.seq}: it is itself a dead letter (${reason}); terminated`,
      );
      safely(() => m.term());
      return true;
    }
    const stored =
      !SAMPLED_KINDS.has(kind) ||
      this.sampler.admit(samplingKey(kind, meta.subject), {
        meta,
        kind,
        reason,
        data: m.data,
        received_ms: Date.now(),
      });
    metrics.deadLettered(consumer, kind, stored);
    if (!stored) {
      // Counted; the window's summary record describes the last of these.
      safely(() => m.term());
      return false;
    }
    this.logger.warn(
      `dead-lettering: consumer=${consumer} subject=${meta.subject} seq=${meta.seq} reason=${reason}`,
    );
    this.track(this.store(m, { meta, kind, reason, data: m.data, received_ms: Date.now() }));
    return true;
  }

  /** Publishes the summaries of windows that have ended. */
  flushDue(all = false): void {
    for (const tally of this.sampler.due(all)) {
      this.logger.warn(
        `dead-lettering: consumer=${this.options.consumer} ${tally.count} more ${tally.last.kind} on ` +
          `${tally.last.meta.subject} counted, not stored; last seq=${tally.last.meta.seq} reason=${tally.last.reason}`,
      );
      this.track(this.store(null, tally.last, tally.count));
    }
  }

  /** Stops the timer, publishes every pending summary and waits for records in flight. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush.stop();
      this.flushDue(true);
      while (this.inFlight.size > 0) {
        await Promise.allSettled([...this.inFlight]);
      }
    })();
    return this.closing;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Publishes one record; terminates `m` once it is stored, naks it when it cannot be. */
  private async store(
    m: JsMsg | null,
    message: SuppressedMessage,
    suppressed?: number,
  ): Promise<void> {
    const { consumer, publisher } = this.options;
    const { meta } = message;
    try {
      await publisher.publish(
        deadLetterSubject(consumer),
        {
          consumer,
          subject: truncateText(meta.subject, 512),
          stream_seq: meta.seq,
          delivery_count: meta.deliveryCount,
          reason: truncateText(message.reason, NOTE_MAX_LENGTH),
          kind: message.kind,
          ...(suppressed === undefined ? {} : { suppressed }),
          raw: truncateRaw(message.data),
          received_at: new Date(message.received_ms).toISOString(),
        },
        // One record per message and consumer, even if this step is retried.
        { id: `dl:${consumer}:${meta.seq}` },
      );
    } catch (err: unknown) {
      if (m === null) {
        // Its messages are terminated already: the count stays in /metrics and this log line.
        this.logger.error(
          `could not publish the summary of ${suppressed ?? 0} dead letters (${errorMessage(err)})`,
        );
        return;
      }
      const delay = this.options.retry_delay_ms;
      this.logger.error(
        `could not publish dead letter for seq=${meta.seq} (${errorMessage(err)}); nak, retry in ${delay} ms`,
      );
      safely(() => m.nak(delay));
      return;
    }
    if (m !== null) safely(() => m.term());
  }
}

/**
 * Kind plus subject, where the subject is one of a bounded set: a fixed subject as is, a family
 * (`report.<kind>`, anything unknown) by its first token, so a flood over made-up subjects
 * still shares one key.
 */
function samplingKey(kind: DeadLetterKind, subject: string): string {
  if ((FIXED_SUBJECTS as readonly string[]).includes(subject)) return `${kind}|${subject}`;
  if (kind === 'unknown_subject' || kind === 'wrong_subject') return `${kind}|*`;
  const dot = subject.indexOf('.');
  return `${kind}|${dot > 0 ? subject.slice(0, dot) : subject}.*`;
}

/** ack/nak/term publish on the connection; a closed connection must not kill the loop. */
export function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The server redelivers after ack_wait: nothing is lost.
  }
}
