import { SUBJECT_TOKEN_MAX_LENGTH } from '../subjects';
import {
  IsBoundedBytes,
  IsInteger,
  IsOneOf,
  IsText,
  IsTimestamp,
  IsToken,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import { NOTE_MAX_LENGTH } from './field-limits';

/** Enough of a bad message to diagnose it without re-hosting a large payload. */
export const DEAD_LETTER_RAW_MAX_BYTES = 4096;
/** Wire subjects can be long (namespace + family + token); NATS itself has no small cap. */
const DEAD_LETTER_SUBJECT_MAX_LENGTH = 512;

/**
 * Why a message was set aside, as a small closed set (a metrics label, a grouping key), next to
 * the free-text `reason`: `invalid_json` (not UTF-8 JSON, or empty), `schema` (JSON that fails
 * the subject's contract), `unknown_subject` (no contract for the subject), `wrong_subject`
 * (outside the consumer's namespace or filter), `permanent` (the handler said retrying cannot
 * help), `max_deliveries` (the handler kept failing until the consumer's max_deliver),
 * `source_mismatch` (who published it — the NATS user named by the subject's last token — may not
 * publish that subject, or is not who the payload's `source` claims; also audited).
 */
export const DEAD_LETTER_KINDS = [
  'invalid_json',
  'schema',
  'unknown_subject',
  'wrong_subject',
  'permanent',
  'max_deliveries',
  'source_mismatch',
] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

/** `deadletter.<consumer>`: a message a consumer gave up on, so nothing is silently lost. */
export class DeadLetterEvent extends EventEnvelope {
  /** Must equal the subject's last token. */
  @IsToken(SUBJECT_TOKEN_MAX_LENGTH)
  consumer!: string;

  /** The subject the bad message arrived on (logical when it could be mapped). */
  @IsText(DEAD_LETTER_SUBJECT_MAX_LENGTH)
  subject!: string;

  @IsInteger(1)
  stream_seq!: number;

  @IsInteger(1)
  delivery_count!: number;

  @IsText(NOTE_MAX_LENGTH)
  reason!: string;

  /** The reason's category; absent on records written before it existed. */
  @OptionalField()
  @IsOneOf(DEAD_LETTER_KINDS)
  kind?: DeadLetterKind;

  /**
   * A flood summary: this many messages like this one (same consumer, subject and kind) were
   * counted but not stored each, this one included and described. Absent on a plain record.
   */
  @OptionalField()
  @IsInteger(1)
  suppressed?: number;

  /** The original payload as UTF-8 text, cut by {@link truncateRaw}. May be empty. */
  @IsBoundedBytes(DEAD_LETTER_RAW_MAX_BYTES)
  raw!: string;

  @IsTimestamp()
  received_at!: string;
}

const TRUNCATION_MARK = '…[truncated]';

/**
 * Decodes a payload as UTF-8 (invalid sequences become U+FFFD) and cuts it to
 * at most `maxBytes` UTF-8 bytes on a character boundary, with a visible mark.
 */
export function truncateRaw(
  raw: Uint8Array | string,
  maxBytes: number = DEAD_LETTER_RAW_MAX_BYTES,
): string {
  const text = typeof raw === 'string' ? raw : new TextDecoder('utf-8').decode(raw);
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) {
    return text;
  }
  const budget = maxBytes - encoder.encode(TRUNCATION_MARK).length;
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = encoder.encode(ch).length;
    if (used + size > budget) break;
    used += size;
    out += ch;
  }
  return out + TRUNCATION_MARK;
}

/** Cuts free text to `max` characters (e.g. a long validation reason), marking the cut. */
export function truncateText(text: string, max: number = NOTE_MAX_LENGTH): string {
  if (text.length <= max) return text;
  return text.slice(0, max - 1) + '…';
}
