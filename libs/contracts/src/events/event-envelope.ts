import { EVENT_SOURCES, type EventSource } from '../subjects';
import { IsInteger, IsOneOf, IsText, IsTimestamp } from '../validation/field.validators';

/**
 * Printable ASCII without spaces: the id travels as the `Nats-Msg-Id` header,
 * where CR/LF or spaces would corrupt the header block.
 */
export const EVENT_ID_PATTERN = /^[\x21-\x7E]+$/;
/** Room for `<kind>:<incident>:<step>`-style deterministic ids as well as UUIDs. */
export const EVENT_ID_MAX_LENGTH = 128;

/** The fields every event carries besides its payload. */
export abstract class EventEnvelope {
  /** Payload schema version of this event type; bumped on a breaking change. */
  @IsInteger(1)
  schema!: number;

  /** Unique per logical event; the publisher sends it as `Nats-Msg-Id` (dedup). */
  @IsText(EVENT_ID_MAX_LENGTH, {
    pattern: EVENT_ID_PATTERN,
    describe: 'printable ASCII without spaces',
  })
  id!: string;

  /** When the event was built (ISO-8601). */
  @IsTimestamp()
  at!: string;

  @IsOneOf(EVENT_SOURCES)
  source!: EventSource;
}

export type EnvelopeKey = 'schema' | 'id' | 'at' | 'source';
export const ENVELOPE_KEYS: readonly EnvelopeKey[] = ['schema', 'id', 'at', 'source'];

/** The payload of an event class: its own fields, without the envelope. */
export type PayloadOf<E extends EventEnvelope> = Omit<E, EnvelopeKey>;
