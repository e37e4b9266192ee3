import { type BackoffOptions, backoffDelay } from '@opscrew/messaging';
import { DeliveryError } from '@opscrew/ports';

/**
 * Delay before retry number `attempt` (1-based attempts already made):
 * capped exponential backoff with equal jitter (so replicas that failed
 * together do not retry together), never earlier than the vendor's
 * Retry-After, and for an ambiguous create (timeout, network) at least
 * `ambiguousMinMs` so the idempotency lookup can see a just-created issue.
 */
export function retryDelayMs(
  attempt: number,
  error: unknown,
  options: { backoff: BackoffOptions; ambiguousMinMs?: number },
  random: () => number = Math.random,
): number {
  let delay = backoffDelay(attempt, options.backoff, random);
  if (error instanceof DeliveryError && error.retryAfterMs !== undefined) {
    delay = Math.max(delay, error.retryAfterMs);
  }
  if (options.ambiguousMinMs !== undefined && isAmbiguous(error)) {
    delay = Math.max(delay, options.ambiguousMinMs);
  }
  return delay;
}

/** The vendor may have acted (timeout, network error, unknown failure): no HTTP status was received. */
export function isAmbiguous(error: unknown): boolean {
  return !(error instanceof DeliveryError) || error.status === undefined;
}

export function isRetryable(error: unknown): boolean {
  // Unknown errors (a KV hiccup, a bug) are retried: parking them would need a human for a blip.
  return !(error instanceof DeliveryError) || error.retryable;
}
