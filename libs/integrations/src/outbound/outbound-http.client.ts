import { scrubSecrets, SecretRegistry } from '@opscrew/contracts';
import { DeliveryError } from '@opscrew/ports';

/**
 * Outbound HTTP for the tracker and notifier adapters, on Node's global fetch.
 * Not jira.js / @discordjs/rest: idempotency and rate limiting live in the
 * outbox, so every request must be exactly one attempt that we control — no
 * hidden retries or queues inside a client library (a library retry after a
 * timeout is how a second ticket gets created), our own timeout per call, and
 * the raw status, Retry-After and rate-limit headers handed back to the caller.
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface OutboundRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON when present. */
  readonly body?: unknown;
  /** Whole call (connect, send, read the body); past it the attempt is abandoned as retryable. */
  readonly timeoutMs: number;
}

export interface OutboundResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  readonly json: unknown;
}

export interface OutboundCallOptions {
  /** Names the call in errors WITHOUT secrets: `jira POST /rest/api/3/issue`. */
  readonly what: string;
  /** Scrubs secrets (tokens, webhook URLs) from any text that reaches an error message. */
  readonly redact: (text: string) => string;
  readonly fetch?: FetchLike;
}

/**
 * Sends one request. Resolves with any HTTP status (the adapter maps it);
 * rejects only with a retryable {@link DeliveryError} for timeouts and
 * network failures — outcomes where the vendor may or may not have acted,
 * which is why such errors carry no `status`.
 */
export async function sendOutbound(
  request: OutboundRequest,
  options: OutboundCallOptions,
): Promise<OutboundResponse> {
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetchFn(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
      // A redirect is unexpected from both vendors and could carry credentials elsewhere.
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJson(text) };
  } catch (err: unknown) {
    if (err instanceof DeliveryError) throw err;
    // Duck-typed: the DOMException fetch throws comes from Node's realm, not a test sandbox's.
    const name = errorField(err, 'name');
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    const reason = timedOut
      ? `timed out after ${request.timeoutMs} ms`
      : `network error (${options.redact(describeCause(err))})`;
    // The cause is rebuilt from redacted text: fetch errors can quote the URL.
    throw new DeliveryError(`${options.what}: ${reason}`, true, undefined, undefined, {
      cause: new Error(options.redact(describeCause(err))),
    });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeCause(err: unknown): string {
  const message = errorField(err, 'message');
  if (message === undefined) return String(err);
  const inner =
    typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  const innerMessage = errorField(inner, 'message');
  return innerMessage === undefined ? message : `${message}: ${innerMessage}`;
}

function errorField(err: unknown, field: 'name' | 'message'): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const value = (err as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A redactor for an adapter's own secrets (API token, Basic credentials, webhook URL): each is
 * matched as the configured secrets are — raw, URL-encoded, base64 at any alignment, and by any
 * prefix of 8+ characters (a vendor echoing a cut or encoded token still leaks it) — then the
 * shared scrubber runs (token shapes, URL credentials, secret parameters). A webhook URL counts
 * by its token, not its host. Values under 8 characters are not matched (they would hit words).
 */
export function redactorFor(secrets: readonly string[]): (text: string) => string {
  const own = new SecretRegistry();
  own.registerAll(secrets);
  return (text) => scrubSecrets(own.scrub(text));
}
