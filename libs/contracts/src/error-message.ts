/**
 * The message of something caught: an Error's own message, else the thrown value as a string
 * (`throw 'x'` and rejected non-Errors happen: a cast to Error would read `undefined`).
 * Duck-typed: an error from another realm (undici's fetch, a vm context) fails `instanceof
 * Error` but still carries its string `message`.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    if (typeof error.message === 'string') return error.message;
  }
  return String(error);
}
