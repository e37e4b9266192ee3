import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** prom-client's default buckets (seconds), what the demo shop uses. */
export const DEFAULT_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PromClientExporterOptions {
  readonly defaultMetrics?: boolean;
  /**
   * The label the HTTP status goes in (`status_code` like the demo shop; `code`, `status`…
   * like other exporters); null: no status label at all, as some exporters do.
   */
  readonly statusLabel?: string | null;
}

/**
 * A real Prometheus exporter on 127.0.0.1, shaped like one demo-shop service:
 * `http_requests_total{method,route,status_code}` and
 * `http_request_duration_seconds{method,route,status_code}` from prom-client
 * (or another status label, or none: `statusLabel`), plus its default process
 * metrics. Tests record requests on it directly.
 */
export class PromClientExporter {
  readonly registry = new Registry();
  readonly requests: Counter<string>;
  readonly duration: Histogram<string>;
  scrapes = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    registry: Registry,
    private readonly statusLabel: string | null,
  ) {
    this.registry = registry;
    const labelNames = ['method', 'route', ...(statusLabel === null ? [] : [statusLabel])];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests.',
      labelNames,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames,
      buckets: DEFAULT_BUCKETS_S,
      registers: [registry],
    });
  }

  static async start(options: PromClientExporterOptions = {}): Promise<PromClientExporter> {
    const registry = new Registry();
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const exporter = new PromClientExporter(
      server,
      `http://127.0.0.1:${port}/metrics`,
      registry,
      options.statusLabel === undefined ? 'status_code' : options.statusLabel,
    );
    server.on('request', (req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      exporter.scrapes++;
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    return exporter;
  }

  /** `count` requests with this status and latency (seconds). */
  record(count: number, status: number, durationS: number, route = '/api/cart'): void {
    const labels: Record<string, string> = { method: 'GET', route };
    // Without a status label the status is simply not recorded: what such exporters lose.
    if (this.statusLabel !== null) labels[this.statusLabel] = String(status);
    for (let i = 0; i < count; i++) {
      this.requests.inc(labels);
      this.duration.observe(labels, durationS);
    }
  }

  /** What a process restart does to the exporter: every counter starts over. */
  restart(): void {
    this.registry.resetMetrics();
  }

  get hostPort(): string {
    return new URL(this.url).host;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
