/** Thrown by `buildEvent` (and so by the publisher) when a payload is not valid. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';

  constructor(
    readonly subject: string,
    /** One line: `path: message; path: message`. */
    readonly reason: string,
  ) {
    super(reason);
  }
}
