import { errorMessage } from '@opscrew/contracts';
import { fetchText, type HttpFetch, MetricsSourceError } from '../metrics/metrics-http';
import {
  checkStartOptions,
  type LoadDriver,
  LoadDriverError,
  type LoadStartOptions,
  type LoadStats,
} from './load-driver.port';
import { parseLocustStats } from './locust-stats.parser';

export interface LocustLoadDriverOptions {
  /** Locust's web UI, e.g. `http://127.0.0.1:8089`. */
  readonly api_url: string;
  readonly timeout_ms: number;
  readonly fetch?: HttpFetch;
  /**
   * Starts a Locust when its API does not answer (the embedded demo). Called at
   * most once; absent when Locust is run by someone else.
   */
  readonly launch?: () => Promise<{ stop(): Promise<void> }>;
}

/** Longest excerpt of an error page quoted in an error (Locust's 500 page is one short HTML line). */
const EXCERPT_CHARS = 300;

/**
 * The load port over Locust's web API (2.12 and newer):
 * `POST /swarm` (form: user_count, spawn_rate — both required, Locust 2.12
 * answers 500 without either —, host, run_time), `GET /stop`,
 * `GET /stats/requests`, `GET /stats/reset`.
 */
export class LocustLoadDriver implements LoadDriver {
  readonly kind = 'locust' as const;
  private readonly http: HttpFetch;
  private launched: Promise<{ stop(): Promise<void> }> | null = null;
  /** After close, a Locust we started stays stopped: no call launches another. */
  private closed = false;

  constructor(private readonly options: LocustLoadDriverOptions) {
    this.http = options.fetch ?? ((url, init) => fetch(url, init));
  }

  async start(options: LoadStartOptions): Promise<void> {
    checkStartOptions(options, 'locust');
    const form = new URLSearchParams({
      user_count: String(options.users),
      spawn_rate: String(options.spawn_rate),
      host: options.host,
    });
    // Locust stops by itself after run_time: the load ends even if demo-controller dies mid-run.
    if (options.run_time_s !== undefined)
      form.set('run_time', `${Math.max(1, Math.ceil(options.run_time_s))}s`);
    const body = await this.json('POST', '/swarm', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (body['success'] !== true)
      throw new LoadDriverError(
        `locust: POST ${this.url('/swarm')} refused the swarm: ${stringField(body, 'message') ?? JSON.stringify(body).slice(0, EXCERPT_CHARS)}`,
        'locust',
      );
  }

  async stop(): Promise<void> {
    const body = await this.json('GET', '/stop', { method: 'GET' });
    if (body['success'] === false)
      throw new LoadDriverError(
        `locust: GET ${this.url('/stop')} failed: ${stringField(body, 'message') ?? 'no message'}`,
        'locust',
      );
  }

  async stats(): Promise<LoadStats> {
    return parseLocustStats(await this.json('GET', '/stats/requests', { method: 'GET' }));
  }

  async reset(): Promise<void> {
    const text = (await this.call('GET', '/stats/reset', { method: 'GET' })).trim();
    if (text !== 'ok')
      throw new LoadDriverError(
        `locust: GET ${this.url('/stats/reset')} answered "${excerpt(text)}" instead of "ok"`,
        'locust',
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    const launched = this.launched;
    this.launched = null;
    if (launched) await (await launched.catch(() => null))?.stop();
  }

  private url(path: string): string {
    return new URL(path, this.options.api_url).toString();
  }

  private async json(
    method: string,
    path: string,
    init: RequestInit,
  ): Promise<Record<string, unknown>> {
    const text = await this.call(method, path, init);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LoadDriverError(
        `locust: ${method} ${this.url(path)} answered something that is not JSON: "${excerpt(text)}"`,
        'locust',
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new LoadDriverError(
        `locust: ${method} ${this.url(path)} answered ${excerpt(text)}, expected a JSON object`,
        'locust',
      );
    return parsed as Record<string, unknown>;
  }

  /** One call; on "connection refused" launches Locust once (when allowed) and retries. */
  private async call(method: string, path: string, init: RequestInit): Promise<string> {
    const url = this.url(path);
    const what = `locust: ${method}`;
    let response;
    try {
      response = await fetchText(this.http, {
        url,
        what,
        timeoutMs: this.options.timeout_ms,
        init,
      });
    } catch (error) {
      if (this.options.launch && this.launched === null && !this.closed && isUnreachable(error)) {
        this.launched = this.options.launch();
        try {
          await this.launched;
        } catch (launchError) {
          throw new LoadDriverError(
            `locust: not reachable at ${this.options.api_url}, and starting it failed: ${errorMessage(launchError)}`,
            'locust',
            { cause: launchError },
          );
        }
        return this.call(method, path, init);
      }
      throw new LoadDriverError(
        isUnreachable(error)
          ? `locust: not reachable at ${this.options.api_url} (${errorMessage(error)}); ` +
              'start it (locust -f <locustfile> --web-host 127.0.0.1 --web-port <port>) or set integrations.load.kind to "builtin"'
          : errorMessage(error),
        'locust',
        { cause: error },
      );
    }
    if (response.status >= 400)
      throw new LoadDriverError(
        `locust: ${method} ${url} answered ${response.status}: ${excerpt(response.text)}`,
        'locust',
      );
    return response.text;
  }
}

function isUnreachable(error: unknown): boolean {
  return (
    error instanceof MetricsSourceError &&
    error.status === undefined &&
    /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|socket hang up/.test(error.message)
  );
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** An error page as one readable line: tags stripped, whitespace folded, cut short. */
function excerpt(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, EXCERPT_CHARS);
}
