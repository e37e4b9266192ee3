/**
 * The one HTTP call every metrics adapter makes: a timeout that covers the
 * body too, a cap on the body size, and errors that name the URL and what was
 * wrong. `fetch` is injected so unit tests replace the network.
 */

/** The part of the global `fetch` the adapters use. */
export type HttpFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Largest body read from a metrics endpoint or query API. A prom-client
 * exposition of one service is tens of KiB and a PromQL vector for a few
 * dozen services less; 8 MiB means a misconfigured URL (a download, a
 * runaway cardinality) fails loudly instead of exhausting memory.
 */
export const MAX_METRICS_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Longest excerpt of a body quoted in an error (enough to recognise an HTML error page). */
const EXCERPT_CHARS = 200;

/** A failed call to a metrics source, naming the URL, the HTTP status when there was one, and a body excerpt. */
export class MetricsSourceError extends Error {
  override readonly name = 'MetricsSourceError';

  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpTextResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

export interface HttpTextRequest {
  readonly url: string;
  /** Names the call in errors: `scrape of`, `Prometheus query`, `SigNoz`. */
  readonly what: string;
  readonly timeoutMs: number;
  readonly init?: Omit<RequestInit, 'signal'>;
}

/** Performs the request and reads the whole body as text, within `timeoutMs`; any status is returned. */
export async function fetchText(
  http: HttpFetch,
  request: HttpTextRequest,
): Promise<HttpTextResponse> {
  const { url, what, timeoutMs } = request;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // Also race the abort: an HTTP client that ignores the signal must not stall the cycle.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
  try {
    return await Promise.race([
      (async (): Promise<HttpTextResponse> => {
        const response = await http(url, { ...request.init, signal: controller.signal });
        const text = await readCapped(response, MAX_METRICS_RESPONSE_BYTES, url, what);
        const contentType = response.headers.get('content-type') ?? '';
        return { status: response.status, contentType, text };
      })(),
      aborted,
    ]);
  } catch (error) {
    if (error instanceof MetricsSourceError) throw error;
    if (controller.signal.aborted) {
      throw new MetricsSourceError(
        `${what} ${url} timed out after ${timeoutMs} ms`,
        url,
        undefined,
        {
          cause: error,
        },
      );
    }
    throw new MetricsSourceError(`${what} ${url} failed: ${networkReason(error)}`, url, undefined, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(
  response: Response,
  maxBytes: number,
  url: string,
  what: string,
): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  // undici types the body as ReadableStream<any>; it yields bytes.
  const reader = body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new MetricsSourceError(
        `${what} ${url} answered more than ${maxBytes} bytes; refusing to read it`,
        url,
        response.status,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND…): surface it.
 * Duck-typed: undici's errors may come from another realm (Jest's sandbox), where
 * `instanceof Error` is false.
 */
function networkReason(error: unknown): string {
  const message = messageOf(error);
  if (typeof error !== 'object' || error === null || !('cause' in error)) return message;
  const cause: unknown = error.cause;
  if (typeof cause !== 'object' || cause === null) return message;
  const causeMessage = messageOf(cause);
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code !== undefined && !causeMessage.includes(code)
    ? `${code} ${causeMessage}`
    : causeMessage;
}

function messageOf(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return String(error);
}

/** At most 200 characters of a body, whitespace collapsed, for error messages. */
export function bodyExcerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

/** Parses a JSON body or returns undefined (the caller words the error: it knows what it expected). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
