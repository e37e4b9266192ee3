import { Logger } from '@nestjs/common';
import {
  buildEvent,
  type EventOf,
  type EventPayloads,
  type EventSource,
  type EventSubject,
  isAgentName,
  errorMessage,
} from '@opscrew/contracts';
import { ErrorCode, NatsError } from 'nats';
import { type BackoffOptions, backoffDelay } from './backoff';
import { type BusUser } from './bus-user';
import { type NatsConnectionService } from './nats-connection.service';
import { UNATTRIBUTED_SUBJECTS } from './publisher-subject';

export interface PublishOptions {
  /**
   * Event id, sent as `Nats-Msg-Id`. Give a deterministic one when the same
   * logical event may be published again (a retried outbox item, a restart):
   * within the stream's duplicate window the server stores it once.
   */
  id?: string;
  /** Event time; default now. */
  at?: Date | string;
}

export interface PublishResult<E> {
  /** Stream sequence of the stored message (of the original one for a duplicate). */
  seq: number;
  /** True when the server already had this id within its duplicate window. */
  duplicate: boolean;
  event: E;
}

/**
 * Publish attempts on a transient failure (no responders while JetStream
 * elects, a request timeout across a reconnect). Safe because every attempt
 * carries the same Nats-Msg-Id; 4 attempts with the backoff below span ~4 s.
 */
const PUBLISH_ATTEMPTS = 4;
const PUBLISH_RETRY_BACKOFF: BackoffOptions = { initial_delay_ms: 250, max_delay_ms: 2_000 };

/**
 * The only way onto the bus: builds and validates the event through
 * libs/contracts (an invalid payload throws EventValidationError and nothing
 * is sent), then publishes it through JetStream with `Nats-Msg-Id` = event id.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);

  constructor(
    private readonly bus: NatsConnectionService,
    /** Who we say we are: the envelope's `source` (a claim consumers check against `publisher`). */
    readonly source: EventSource,
    /**
     * The NATS user we publish as, named by every subject we publish on (`<logical>.<publisher>`,
     * see publisher-subject.ts); null: the bare subject, for an outside system's
     * `incident.reported`. Default: the user `source` stands for (publisherForSource).
     */
    readonly publisher: BusUser | null = publisherForSource(source),
  ) {}

  async publish<S extends EventSubject>(
    subject: S,
    payload: EventPayloads[S],
    options: PublishOptions = {},
  ): Promise<PublishResult<EventOf<S>>> {
    if (this.publisher === null && !UNATTRIBUTED_SUBJECTS.includes(subject)) {
      throw new Error(
        `bus: cannot publish ${subject} unattributed (source "${this.source}" names no bus user); ` +
          `only ${UNATTRIBUTED_SUBJECTS.join(', ')} may be published without a publisher`,
      );
    }
    const event = buildEvent(subject, payload, this.source, options);
    const wire = this.bus.subjects.toPublishWire(subject, this.publisher);
    const data = new TextEncoder().encode(JSON.stringify(event));
    const js = this.bus.jetstream();
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await js.publish(wire, data, {
          msgID: event.id,
          // Refuse to land anywhere but our stream (a stray overlapping stream would swallow events).
          expect: { streamName: this.bus.subjects.streamFor(subject) },
        });
        return { seq: ack.seq, duplicate: ack.duplicate, event };
      } catch (err: unknown) {
        if (attempt >= PUBLISH_ATTEMPTS || !isRetryable(err)) {
          throw err;
        }
        const delay = backoffDelay(attempt, PUBLISH_RETRY_BACKOFF);
        this.logger.warn(
          `publish ${subject} id=${event.id} attempt ${attempt} failed (${errorMessage(err)}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/**
 * The bus user a process with this `source` publishes as: an agent or the CLI is its own user;
 * `external` is an outside system, unattributed (plain `incident.reported`, as such systems always
 * published). `human` names no process: whoever relays a person's action passes its user.
 */
export function publisherForSource(source: EventSource): BusUser | null {
  if (isAgentName(source) || source === 'cli') return source;
  if (source === 'external') return null;
  throw new Error(
    `bus: source "${source}" names no bus user; pass the publisher (the user the process connects as)`,
  );
}

/** Failures where the message may not have been stored: retry with the same Nats-Msg-Id. */
const RETRYABLE_CODES: readonly string[] = [
  ErrorCode.NoResponders,
  ErrorCode.Timeout,
  ErrorCode.Disconnect,
];

function isRetryable(err: unknown): boolean {
  return err instanceof NatsError && RETRYABLE_CODES.includes(err.code);
}
