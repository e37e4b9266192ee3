import { errorMessage } from '@opscrew/contracts';
import { type BackoffOptions, cappedExponentialDelay } from './backoff';
import { PermanentError, TransientError } from './handler-errors';

/**
 * nak backoff by delivery count: 1 s, 2 s, 4 s … capped at 60 s. The first
 * retry is quick (a blip), later ones give a dependency time to recover
 * without holding a message past the consumer's ack_wait-driven redelivery.
 * No jitter: redeliveries of one message are already spread by the server.
 */
export const DEFAULT_RETRY_BACKOFF: BackoffOptions = {
  initial_delay_ms: 1_000,
  max_delay_ms: 60_000,
};

export type HandlerOutcome = { ok: true } | { ok: false; error: unknown };

export type Settlement =
  | { action: 'ack' }
  | { action: 'nak'; delay_ms: number; reason: string }
  | { action: 'deadletter'; kind: 'permanent' | 'max_deliveries'; reason: string };

/**
 * What to do with a message once its handler returned or threw.
 * @param maxDeliver the consumer's max_deliver (≤ 0: unlimited)
 */
export function settle(
  outcome: HandlerOutcome,
  deliveryCount: number,
  maxDeliver: number,
  retry: BackoffOptions = DEFAULT_RETRY_BACKOFF,
): Settlement {
  if (outcome.ok) {
    return { action: 'ack' };
  }
  const { error } = outcome;
  if (error instanceof PermanentError) {
    return {
      action: 'deadletter',
      kind: 'permanent',
      reason: `handler failed permanently: ${errorMessage(error)}`,
    };
  }
  const how = error instanceof TransientError ? 'transiently' : 'with an unexpected error';
  if (maxDeliver > 0 && deliveryCount >= maxDeliver) {
    return {
      action: 'deadletter',
      kind: 'max_deliveries',
      reason: `gave up after ${deliveryCount} deliveries (max_deliver ${maxDeliver}); last failure ${how}: ${errorMessage(error)}`,
    };
  }
  const delay =
    error instanceof TransientError && error.retryAfterMs !== undefined
      ? error.retryAfterMs
      : cappedExponentialDelay(deliveryCount, retry);
  return {
    action: 'nak',
    delay_ms: delay,
    reason: `handler failed ${how}: ${errorMessage(error)}`,
  };
}
