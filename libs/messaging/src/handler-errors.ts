/**
 * What a consumer handler throws to steer redelivery. Any other error counts
 * as transient: a bug or an outage is retried with backoff and, at the
 * consumer's max_deliver, dead-lettered — never silently dropped.
 */

/** Try again later (dependency down, lock held, rate limited): nak with backoff. */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';

  constructor(
    message: string,
    /** Overrides the consumer's backoff for this redelivery, in ms. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Retrying cannot help (the event is well-formed but unusable): term + dead letter. */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
