import {
  type AnyEvent,
  buildEvent,
  type EventOf,
  type EventPayloads,
  type EventSource,
  type EventSubject,
} from '@opscrew/contracts';
import { type EventPublisher, type PublishOptions, type PublishResult } from '@opscrew/messaging';

/** What a RecordingPublisher keeps: one entry per stored event, in publish order. */
export interface RecordedEvent {
  readonly subject: EventSubject;
  readonly event: AnyEvent;
}

/**
 * Publishes nowhere, as JetStream would store: builds and validates each event exactly as
 * EventPublisher does (buildEvent), stores it once per id (the duplicate window: a repeated id
 * answers `duplicate: true` and is not stored again) and keeps it for assertions. `failNext`
 * refuses that many publishes (NATS down). `as(source)` is a publisher for another process on
 * the same store, as several agents share one stream.
 */
export class RecordingPublisher implements Pick<EventPublisher, 'publish'> {
  failNext = 0;

  constructor(
    readonly source: EventSource,
    /** Stamps events that carry no `at` (else the wall clock). */
    private readonly clock?: { now(): number },
    private readonly store: { events: RecordedEvent[]; ids: Set<string> } = {
      events: [],
      ids: new Set(),
    },
  ) {}

  /** Stored events, in publish order (shared with every `as()` view). */
  get events(): readonly RecordedEvent[] {
    return this.store.events;
  }

  publish<S extends EventSubject>(
    subject: S,
    payload: EventPayloads[S],
    options: PublishOptions = {},
  ): Promise<PublishResult<EventOf<S>>> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('NATS unavailable'));
    }
    const at = options.at ?? (this.clock ? new Date(this.clock.now()) : new Date());
    const event = buildEvent(subject, payload, this.source, { ...options, at });
    const duplicate = this.store.ids.has(event.id);
    if (!duplicate) {
      this.store.ids.add(event.id);
      this.store.events.push({ subject, event });
    }
    return Promise.resolve({ seq: this.store.events.length, duplicate, event });
  }

  /** A publisher as `source` writing to the same store. */
  as(source: EventSource): RecordingPublisher {
    return new RecordingPublisher(source, this.clock, this.store);
  }

  /** This publisher where code takes a whole EventPublisher (it only ever calls publish). */
  asEventPublisher(): EventPublisher {
    return this as unknown as EventPublisher;
  }

  subjects(): string[] {
    return this.store.events.map((e) => e.subject);
  }

  of<S extends EventSubject>(subject: S): EventOf<S>[] {
    return this.store.events.filter((e) => e.subject === subject).map((e) => e.event as EventOf<S>);
  }
}
