import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface LoadHttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadHttpResponse {
  readonly status: number;
  /** `Set-Cookie` values: a virtual user keeps its session like a browser (and Locust) does. */
  readonly setCookies: readonly string[];
}

/** One request of a virtual user; rejects on a network error, a timeout or an abort. */
export type LoadHttpSend = (
  request: LoadHttpRequest,
  signal: AbortSignal,
) => Promise<LoadHttpResponse>;

export interface LoadHttpSender {
  readonly send: LoadHttpSend;
  /** Closes the kept-alive sockets. */
  close(): void;
}

/**
 * Requests over node:http with keep-alive and one socket per virtual user at
 * most (a user waits for its answer before its next request, as in Locust).
 * The body is read and discarded: only the status and the time count.
 */
export function createLoadHttpSender(options: {
  readonly max_sockets: number;
  readonly timeout_ms: number;
}): LoadHttpSender {
  const agentOptions = { keepAlive: true, maxSockets: options.max_sockets };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  const send: LoadHttpSend = (request, signal) =>
    new Promise<LoadHttpResponse>((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      const call = (secure ? httpsRequest : httpRequest)(
        request.url,
        {
          method: request.method,
          headers: request.headers,
          agent: secure ? https : http,
          signal,
          timeout: options.timeout_ms,
        },
        (response) => {
          const setCookie = response.headers['set-cookie'] ?? [];
          response.on('error', reject);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, setCookies: setCookie }),
          );
          response.resume();
        },
      );
      call.on('timeout', () =>
        call.destroy(new Error(`no answer within ${options.timeout_ms} ms`)),
      );
      call.on('error', reject);
      call.end(request.body);
    });
  return {
    send,
    close: () => {
      http.destroy();
      https.destroy();
    },
  };
}
