/**
 * Longest wait we accept from a vendor's Retry-After: an hour. A larger value
 * is a misconfigured proxy or a clock problem; the outbox's own backoff cap
 * and rate limits still apply.
 */
export const RETRY_AFTER_MAX_MS = 60 * 60 * 1000;

/**
 * `Retry-After` as milliseconds: delta-seconds (Jira sends integers, Discord's
 * body `retry_after` is fractional) or an HTTP-date. Undefined when absent or
 * unparseable; clamped to [0, RETRY_AFTER_MAX_MS].
 */
export function parseRetryAfterMs(
  value: string | number | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return clampSeconds(value);
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return clampSeconds(Number(text));
  // An HTTP-date has a weekday and month name; "-1" or "1e9" is garbage, not a date.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(0, at - nowMs));
}

function clampSeconds(seconds: number): number | undefined {
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(RETRY_AFTER_MAX_MS, Math.ceil(seconds * 1000));
}
