import { Agent, request } from 'node:http';

/** A dependency's answer larger than this is a bug, not a page: 1 MiB. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/**
 * Sockets kept per dependency. Above the busiest service's worker + queue
 * capacity, so the agent never becomes a hidden queue of its own.
 */
const MAX_SOCKETS = 128;
/**
 * Idle sockets are dropped after 4 s, under the services' 5 s keep-alive, so
 * a request is never sent on a socket the server is closing at that moment.
 */
const IDLE_SOCKET_TIMEOUT_MS = 4_000;

export type DependencyFailure = 'timeout' | 'unreachable' | 'status' | 'protocol';

/** A call to another shop service failed: why, and what it said. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';

  constructor(
    readonly dependency: string,
    readonly kind: DependencyFailure,
    message: string,
    /** The dependency's HTTP status when it answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface CallOptions {
  readonly body?: unknown;
  /** The whole call (connect, send, answer) must finish within this long. */
  readonly timeoutMs: number;
}

/**
 * Loopback HTTP to one dependency with keep-alive, a deadline per call, and
 * failures as DependencyError: `timeout`, `unreachable` (ECONNREFUSED while
 * the dependency restarts), `status` (it answered 4xx/5xx; its error text is
 * kept, so the caller's log names the cause) or `protocol`.
 */
export class DependencyClient {
  private readonly base: URL;
  private readonly agent: Agent;

  constructor(
    readonly name: string,
    baseUrl: string,
  ) {
    this.base = new URL(baseUrl);
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: MAX_SOCKETS,
      timeout: IDLE_SOCKET_TIMEOUT_MS,
    });
  }

  get url(): string {
    return this.base.origin;
  }

  get<T>(path: string, options: CallOptions): Promise<T> {
    return this.call<T>('GET', path, options);
  }

  post<T>(path: string, options: CallOptions): Promise<T> {
    return this.call<T>('POST', path, options);
  }

  delete<T>(path: string, options: CallOptions): Promise<T> {
    return this.call<T>('DELETE', path, options);
  }

  close(): void {
    this.agent.destroy();
  }

  private call<T>(method: string, path: string, options: CallOptions): Promise<T> {
    const url = new URL(path, this.base);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (error: DependencyError | null, value?: T): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error !== null) reject(error);
        else resolve(value as T);
      };
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy();
              finish(this.failure('protocol', `${method} ${url.pathname}: answer too large`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (error) => finish(this.failure('protocol', error.message)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text === '' ? null : JSON.parse(text);
            } catch {
              finish(
                this.failure(
                  'protocol',
                  `${method} ${url.pathname}: answered ${status} with non-JSON`,
                ),
              );
              return;
            }
            if (status >= 200 && status < 300) finish(null, body as T);
            else {
              finish(
                new DependencyError(
                  this.name,
                  'status',
                  `${this.name} answered ${status} to ${method} ${url.pathname}: ${errorText(body)}`,
                  status,
                ),
              );
            }
          });
        },
      );
      const deadline = setTimeout(() => {
        finish(
          this.failure(
            'timeout',
            `${method} ${url.pathname} timed out after ${options.timeoutMs} ms`,
          ),
        );
        req.destroy();
      }, options.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        const kind: DependencyFailure =
          error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EPIPE'
            ? 'unreachable'
            : 'protocol';
        finish(this.failure(kind, `${method} ${url.pathname}: ${error.message}`));
      });
      req.end(payload);
    });
  }

  private failure(kind: DependencyFailure, detail: string): DependencyError {
    const what =
      kind === 'unreachable'
        ? `upstream connect error: ${this.name} unreachable`
        : kind === 'timeout'
          ? `${this.name} did not answer in time`
          : `${this.name} call failed`;
    return new DependencyError(this.name, kind, `${what} (${detail})`);
  }
}

/** The `error` field of a shop error body, else a short excerpt. */
function errorText(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = body.error;
    if (typeof error === 'string') return error.slice(0, 300);
  }
  return JSON.stringify(body)?.slice(0, 300) ?? 'no body';
}
