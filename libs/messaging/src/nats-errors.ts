import { NatsError } from 'nats';

/** JetStream API error codes we branch on (nats-server `errors.json`). */
export const JS_ERR_STREAM_NOT_FOUND = 10059;
export const JS_ERR_CONSUMER_NOT_FOUND = 10014;
export const JS_ERR_WRONG_LAST_SEQUENCE = 10071;

function apiErrorCode(err: unknown): number | undefined {
  return err instanceof NatsError ? err.api_error?.err_code : undefined;
}

export function isStreamNotFound(err: unknown): boolean {
  return apiErrorCode(err) === JS_ERR_STREAM_NOT_FOUND;
}

export function isConsumerNotFound(err: unknown): boolean {
  return apiErrorCode(err) === JS_ERR_CONSUMER_NOT_FOUND;
}

/** A CAS write refused: `create` on an existing key, `update`/`delete` with a stale revision. */
export function isWrongLastSequence(err: unknown): boolean {
  if (apiErrorCode(err) === JS_ERR_WRONG_LAST_SEQUENCE) return true;
  return err instanceof Error && /wrong last sequence/i.test(err.message);
}
