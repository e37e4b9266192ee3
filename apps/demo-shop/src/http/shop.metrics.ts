import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LABELS = ['method', 'route', 'status_code'] as const;
/**
 * prom-client's default buckets (5 ms … 10 s) plus 30 s: a latency_creep or a
 * leak's scan can exceed 10 s, and a p99 beyond the last finite bucket would
 * read as exactly 10 s.
 */
const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/**
 * Event-loop delay sampled once a second instead of prom-client's every 10 ms:
 * nine idle processes waking 100 times a second each cost ~4 % of a core on
 * their own (measured); a blocked loop (adHighCpu) still shows in the lag.
 */
const EVENT_LOOP_PRECISION_MS = 1_000;

type Labels = Record<(typeof LABELS)[number], string>;

/**
 * What the crew scrapes from one service: the request counter and latency
 * histogram by method, route pattern and status code (the names ops-monitor's
 * scrape source reads), prom-client's default process metrics (CPU seconds,
 * resident memory, start time — a restart resets every counter), and the
 * worker/queue gauges that explain a saturation.
 */
export class ShopMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<(typeof LABELS)[number]>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;
  private readonly inFlight: Gauge;
  private readonly queued: Gauge;

  constructor(load: () => { inFlight: number; queued: number }) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route pattern and status code',
      labelNames: LABELS,
      registers,
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status code',
      labelNames: LABELS,
      buckets: DURATION_BUCKETS_S,
      registers,
    });
    this.inFlight = new Gauge({
      name: 'shop_worker_requests',
      help: 'Requests holding a worker slot right now',
      registers,
      collect: () => this.inFlight.set(load().inFlight),
    });
    this.queued = new Gauge({
      name: 'shop_queued_requests',
      help: 'Requests waiting for a worker slot right now',
      registers,
      collect: () => this.queued.set(load().queued),
    });
    collectDefaultMetrics({
      register: this.registry,
      eventLoopMonitoringPrecision: EVENT_LOOP_PRECISION_MS,
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const labels: Labels = { method, route, status_code: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
