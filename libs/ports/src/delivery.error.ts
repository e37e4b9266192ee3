/**
 * What an adapter throws when an outbound call fails, so the outbox knows
 * whether to retry and when: `retryable` for timeouts, 5xx and 429;
 * `retryAfterMs` from a `Retry-After` header or a 429 body; not retryable for
 * a request the vendor will never accept (400, 401, 403, 404).
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
