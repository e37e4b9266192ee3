import { FaultBoard } from './faults/fault.board';
import { MemoryGuard } from './faults/memory.guard';
import { FlagFileWatcher } from './flags/flag-file.watcher';
import { ConcurrencyLimiter } from './http/concurrency.limiter';
import { ControlToken } from './http/control-token';
import { DependencyClient } from './http/dependency.client';
import { ServiceServer } from './http/service.server';
import { ShopMetrics } from './http/shop.metrics';
import { LatencySampler } from './runtime/latency.sampler';
import { type LogSink, ServiceLog } from './runtime/service.log';
import { type ServiceEnv } from './service-env';
import { SHOP_SERVICE_FACTORIES } from './services/service.registry';
import {
  QUEUE_TIMEOUT_MS,
  SHOP_SERVICE_PROFILES,
  type ShopServiceName,
} from './shop-service.profiles';

export interface RunningService {
  readonly port: number;
  readonly log: ServiceLog;
  stop(): Promise<void>;
}

export interface RunServiceOptions {
  /** Where log lines go (stdout/stderr by default). */
  readonly sink?: LogSink;
  /** Uniform [0, 1) for failure ratios; injectable for tests. */
  readonly random?: () => number;
  /** Override the profile's median latency (tests run faster at 0). */
  readonly medianLatencyMs?: number;
}

/** Builds one shop service from its environment and listens. */
export async function runShopService(
  env: ServiceEnv,
  options: RunServiceOptions = {},
): Promise<RunningService> {
  const log = new ServiceLog(env.service, options.sink);
  const profile = SHOP_SERVICE_PROFILES[env.service];
  const flags = new FlagFileWatcher(env.flagFile, log);
  flags.start();
  const memory = new MemoryGuard(env.memoryLimitBytes, log);
  memory.start();
  const clients = new Map<ShopServiceName, DependencyClient>();
  for (const [name, url] of Object.entries(env.dependencies) as [ShopServiceName, string][]) {
    clients.set(name, new DependencyClient(name, url));
  }
  const service = SHOP_SERVICE_FACTORIES[env.service]({
    name: env.service,
    flags,
    log,
    random: options.random ?? Math.random,
    dependency: (name) => {
      const client = clients.get(name);
      if (client === undefined) throw new Error(`${env.service} has no URL for ${name}`);
      return client;
    },
  });
  const limiter = new ConcurrencyLimiter({
    concurrency: profile.concurrency,
    queue: profile.queue,
    queueTimeoutMs: QUEUE_TIMEOUT_MS,
  });
  const faults = new FaultBoard();
  const server = new ServiceServer({
    name: env.service,
    service,
    limiter,
    latency: new LatencySampler(options.medianLatencyMs ?? profile.medianLatencyMs),
    faults,
    memory,
    metrics: new ShopMetrics(() => ({ inFlight: limiter.inFlight, queued: limiter.queued })),
    log,
    token: new ControlToken(env.token),
  });
  let port: number;
  try {
    port = await server.listen(env.host, env.port);
  } catch (error) {
    flags.stop();
    memory.stop();
    faults.dispose();
    throw error;
  }
  const deps = [...clients.entries()].map(([name, client]) => `${name}=${client.url}`);
  log.info(
    `listening on http://${env.host}:${port} (pid ${process.pid}; ` +
      `${profile.concurrency} workers, queue ${profile.queue}, median ${profile.medianLatencyMs} ms; ` +
      `memory limit ${env.memoryLimitBytes === null ? 'none' : `${Math.round(env.memoryLimitBytes / 1_048_576)} MiB`}; ` +
      `flags ${env.flagFile ?? 'none'}${deps.length > 0 ? `; calls ${deps.join(', ')}` : ''})`,
  );
  return {
    port,
    log,
    stop: async () => {
      flags.stop();
      memory.stop();
      faults.dispose();
      await server.close();
      for (const client of clients.values()) client.close();
    },
  };
}
