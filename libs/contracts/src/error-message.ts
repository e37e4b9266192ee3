import { scrubSecrets } from './text/secret-scrubber';

/**
 * The message of something caught: an Error's own message, else the thrown value as a string
 * (`throw 'x'` and rejected non-Errors happen: a cast to Error would read `undefined`).
 * Duck-typed: an error from another realm (undici's fetch, a vm context) fails `instanceof
 * Error` but still carries its string `message`.
 *
 * Scrubbed of secrets: this is how a caught error becomes text for a log, an audit result, a
 * REST answer or a chat reply, and errors quote URLs, headers and command lines.
 */
export function errorMessage(error: unknown): string {
  return scrubSecrets(rawMessage(error));
}

function rawMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    if (typeof error.message === 'string') return error.message;
  }
  try {
    return String(error);
  } catch {
    // An object whose toString throws (or a null-prototype one) must not throw again here.
    return Object.prototype.toString.call(error);
  }
}
