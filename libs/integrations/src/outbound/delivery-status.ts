import { DeliveryError } from '@opscrew/ports';

/**
 * Maps a vendor's HTTP status to a {@link DeliveryError}: 429 and 503 are
 * rate limiting or overload (retry after the vendor's Retry-After), other 5xx,
 * 408, 409 and 425 are transient (retry with backoff); every other status is a
 * request the vendor will never accept as sent (400, 401, 403, 404, 422, and
 * unexpected redirects), so it is not retried.
 *
 * `what` names the call without secrets (`jira POST /rest/api/3/issue`);
 * `detail` is the vendor's error text, already free of secrets.
 */
export function deliveryErrorForStatus(
  what: string,
  status: number,
  detail: string,
  retryAfterMs?: number,
): DeliveryError {
  const retryable = isRetryableStatus(status);
  const suffix = detail === '' ? '' : `: ${detail}`;
  const wait = retryable && retryAfterMs !== undefined ? ` (retry after ${retryAfterMs} ms)` : '';
  return new DeliveryError(
    `${what}: HTTP ${status}${suffix}${wait}`,
    retryable,
    retryable ? retryAfterMs : undefined,
    status,
  );
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}
