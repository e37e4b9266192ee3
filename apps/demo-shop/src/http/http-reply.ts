/** What a route handler answers: a status and a JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function ok(body: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return headers === undefined ? { status: 200, body } : { status: 200, body, headers };
}

/**
 * A failure with the status to answer. `log` says how loudly: client errors
 * (404 unknown product) are normal traffic and are not logged by default.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    message: string,
    readonly log: 'error' | 'warn' | 'none' = status >= 500 ? 'error' : 'none',
  ) {
    super(message);
  }
}
