export interface BackoffOptions {
  initial_delay_ms: number;
  max_delay_ms: number;
}

/**
 * Capped exponential backoff with "equal jitter": attempt 1 waits about
 * `initial`, each next attempt doubles, never above `max`; half of the delay is
 * random so many clients that lost the same server do not come back in lockstep.
 *
 * @param attempt 1-based attempt number
 * @param random a [0, 1) source, injectable for tests
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30)); // 2^30 already exceeds any cap
  const ceiling = Math.min(options.max_delay_ms, options.initial_delay_ms * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}

/** Same curve without jitter: for delays that must be predictable (nak by delivery count). */
export function cappedExponentialDelay(attempt: number, options: BackoffOptions): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(options.max_delay_ms, options.initial_delay_ms * 2 ** exponent);
}
