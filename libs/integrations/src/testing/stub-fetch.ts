import { type FetchLike } from '../outbound/outbound-http.client';

export interface StubCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export type StubReply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly error: Error }
  /** Never answers: the caller's AbortSignal (timeout) ends it. */
  | { readonly hang: true };

/**
 * A scripted fetch for adapter unit tests: answers in order (the last reply
 * repeats) and records every call. Real HTTP is exercised against the
 * contract servers in the integration tests.
 */
export function stubFetch(replies: readonly StubReply[]): { fetch: FetchLike; calls: StubCall[] } {
  const calls: StubCall[] = [];
  let index = 0;
  const fetch: FetchLike = (input, init) => {
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    calls.push({
      url: input,
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    });
    const reply = replies[Math.min(index, replies.length - 1)];
    index += 1;
    if (reply === undefined) return Promise.reject(new Error('stubFetch: no reply scripted'));
    if ('error' in reply) return Promise.reject(reply.error);
    if ('hang' in reply) {
      return new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
      });
    }
    const text = reply.body === undefined ? null : JSON.stringify(reply.body);
    return Promise.resolve(
      new Response(reply.status === 204 ? null : text, {
        status: reply.status,
        headers: { 'content-type': 'application/json', ...reply.headers },
      }),
    );
  };
  return { fetch, calls };
}
