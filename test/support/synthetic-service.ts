import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * A stand-in for a watched service in e2e tests: serves Prometheus metrics the
 * way the demo shop does (`http_requests_total`, `http_request_duration_seconds`)
 * for synthetic traffic whose error ratio and latency the test dials.
 */
export class SyntheticService {
  private readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status_code'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  errorRatio = 0;
  latencyMs = 40;
  port = 0;

  constructor(
    readonly name: string,
    /** Requests generated per tick (every 100 ms). */
    private readonly perTick = 5,
  ) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'requests',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'latency',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  async start(): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.url === '/metrics') {
        void this.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType });
          res.end(text);
        });
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    // Deterministic mix: every n-th request fails, so a ratio of 0.5 is exactly half.
    let sent = 0;
    this.timer = setInterval(() => {
      for (let i = 0; i < this.perTick; i++) {
        sent++;
        const failing =
          this.errorRatio > 0 && sent % Math.max(1, Math.round(1 / this.errorRatio)) === 0;
        const status = failing ? '500' : '200';
        const labels = { method: 'GET', route: '/', status_code: status };
        this.requests.inc(labels);
        this.duration.observe(labels, this.latencyMs / 1000);
      }
    }, 100);
    return this.port;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.port}/metrics`;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
