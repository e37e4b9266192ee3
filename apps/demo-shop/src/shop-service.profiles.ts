/**
 * The shop's services, named as in the OpenTelemetry demo 2.x+ (and in
 * config/project/services/otel-demo.json5), each its own process.
 */
export const SHOP_SERVICE_NAMES = [
  'frontend',
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
] as const;

export type ShopServiceName = (typeof SHOP_SERVICE_NAMES)[number];

export function isShopServiceName(name: string): name is ShopServiceName {
  return (SHOP_SERVICE_NAMES as readonly string[]).includes(name);
}

/** How one service behaves under load. */
export interface ServiceProfile {
  /** Median of the service's own work per request (ms); spread by LatencySampler. */
  readonly medianLatencyMs: number;
  /** Requests doing own work at once (its workers). Waiting on a dependency holds none. */
  readonly concurrency: number;
  /** Requests waiting for a worker; beyond it: 503 at once. */
  readonly queue: number;
  /** The services it calls (each gets `<NAME>_URL` in its environment). */
  readonly dependsOn: readonly ShopServiceName[];
}

/**
 * A request queued this long is refused (503): the frontend's callers and
 * its own dependency timeouts (≤ 6 s) have given up on it by then.
 */
export const QUEUE_TIMEOUT_MS = 5_000;

/**
 * 192 MiB: three times what an idle service holds (~55–65 MiB RSS with
 * prom-client's default metrics), so normal traffic and even the stress
 * scenario stay far below it, while a leak of ~10 MiB/s reaches it in ~13 s.
 */
export const DEFAULT_MEMORY_LIMIT_BYTES = 192 * 1024 * 1024;

/**
 * Capacity is set so the demo's scenarios show what they are meant to show
 * (config/agents/demo-controller.json5, Locust users waiting 0.5–2 s between
 * tasks, about 0.75 requests/s per user):
 *
 * - frontend: one render worker, 15 ms median (a Node server-side render is
 *   single-threaded work) → ~65 requests/s. `normal` (10 users, ~8/s) and
 *   `high` (50 users, ~37/s) stay below it; `spike` (100 users) saturates it
 *   (latency ×2 and more); `stress` (200 users) fills its queue: latency and
 *   503s, as that scenario expects.
 * - backends: 2–4 workers and a few ms each, several hundred requests/s: they
 *   saturate only under stress (recommendation, 20 ms and 2 workers, first).
 *
 * Queues hold ~1.5 s of the frontend's work (96 × 15 ms) and less elsewhere:
 * beyond that a caller's timeout would fire anyway.
 */
export const SHOP_SERVICE_PROFILES: Readonly<Record<ShopServiceName, ServiceProfile>> = {
  frontend: {
    medianLatencyMs: 15,
    concurrency: 1,
    queue: 96,
    dependsOn: ['ad', 'cart', 'checkout', 'currency', 'product-catalog', 'recommendation'],
  },
  // Ads are a cheap lookup by keyword.
  ad: { medianLatencyMs: 6, concurrency: 2, queue: 64, dependsOn: [] },
  // A key-value store round trip (valkey in the demo).
  cart: { medianLatencyMs: 5, concurrency: 4, queue: 64, dependsOn: [] },
  // Orchestration only; the time is in its five dependencies.
  checkout: {
    medianLatencyMs: 12,
    concurrency: 2,
    queue: 32,
    dependsOn: ['cart', 'currency', 'payment', 'product-catalog', 'shipping'],
  },
  // Arithmetic on a rate table.
  currency: { medianLatencyMs: 3, concurrency: 4, queue: 64, dependsOn: [] },
  // An external card processor is the slowest hop of a checkout.
  payment: { medianLatencyMs: 40, concurrency: 4, queue: 32, dependsOn: [] },
  // A small indexed catalogue.
  'product-catalog': { medianLatencyMs: 8, concurrency: 4, queue: 64, dependsOn: [] },
  // Scores the catalogue for each request: the heaviest backend.
  recommendation: {
    medianLatencyMs: 20,
    concurrency: 2,
    queue: 64,
    dependsOn: ['product-catalog'],
  },
  // A quote computation, or a tracking id.
  shipping: { medianLatencyMs: 10, concurrency: 2, queue: 32, dependsOn: [] },
};
