import { errorMessage } from '@opscrew/contracts';
import { setMaxListeners } from 'node:events';
import { LatencyReservoir } from './latency.reservoir';
import {
  checkStartOptions,
  type LoadDriver,
  LoadDriverError,
  type LoadStartOptions,
  type LoadState,
  type LoadStats,
} from './load-driver.port';
import { createLoadHttpSender, type LoadHttpSend, type LoadHttpSender } from './load-http.sender';
import { type LoadScheduler, type ScheduledTimer, systemLoadScheduler } from './load.scheduler';
import { requireLoopbackUrl } from './loopback-url';
import { type LoadMix, type LoadRequest, type LoadTask, pickWeighted } from './load-task';

/**
 * A request without an answer after 10 s counts as failed and frees its user:
 * the shop's slowest healthy page is well under a second, and a fault that
 * makes it hang must show up as failures, not as users stuck forever.
 */
const REQUEST_TIMEOUT_MS = 10_000;
/** Requests per second are averaged over the last 10 s, like Locust's current_rps. */
const RPS_WINDOW_MS = 10_000;
const SECOND_MS = 1000;

/** The mix is the caller's (demo-controller's shop mix): the driver knows no target's routes. */
export interface BuiltinLoadDriverOptions extends LoadMix {
  readonly scheduler?: LoadScheduler;
  /** Replaces the HTTP client (unit tests); default node:http with keep-alive. */
  readonly send?: LoadHttpSend;
  readonly random?: () => number;
  readonly request_timeout_ms?: number;
  readonly reservoir_size?: number;
}

interface VirtualUser {
  readonly id: number;
  readonly cookies: Map<string, string>;
  timer: ScheduledTimer | null;
}

interface Swarm {
  readonly host: URL;
  readonly target: number;
  readonly spawnIntervalMs: number;
  readonly users: VirtualUser[];
  readonly abort: AbortController;
  readonly sender: LoadHttpSender | null;
  readonly send: LoadHttpSend;
  spawnTimer: ScheduledTimer | null;
  stopTimer: ScheduledTimer | null;
  stopped: boolean;
}

/**
 * The load port in Node, for machines without Locust: N virtual users on
 * timers running the given task mix with its think time, spawned at
 * `spawn_rate` per second (the first at once), stats with percentiles from a
 * bounded reservoir. Loopback only: deliberate load never leaves the machine.
 */
export class BuiltinLoadDriver implements LoadDriver {
  readonly kind = 'builtin' as const;
  private readonly tasks: readonly LoadTask[];
  private readonly think: { readonly min: number; readonly max: number };
  private readonly scheduler: LoadScheduler;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly reservoir: LatencyReservoir;
  private swarm: Swarm | null = null;
  private state: LoadState = 'ready';
  private requests = 0;
  private failures = 0;
  /** Completed requests per wall-clock second (key: epoch second), pruned to the rps window. */
  private readonly perSecond = new Map<number, number>();
  private countedSince: number;
  private readonly executed = new Map<string, number>();

  constructor(private readonly options: BuiltinLoadDriverOptions) {
    this.tasks = options.tasks;
    if (this.tasks.length === 0 || this.tasks.some((task) => !(task.weight > 0)))
      throw new LoadDriverError(
        'builtin: tasks must be non-empty with positive weights',
        'builtin',
      );
    this.think = options.think_time_ms;
    this.scheduler = options.scheduler ?? systemLoadScheduler;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.request_timeout_ms ?? REQUEST_TIMEOUT_MS;
    this.reservoir = new LatencyReservoir(options.reservoir_size, this.random);
    this.countedSince = this.scheduler.now();
  }

  start(options: LoadStartOptions): Promise<void> {
    let host: URL;
    try {
      checkStartOptions(options, 'builtin');
      host = requireLoopbackUrl(options.host, 'builtin load: host');
    } catch (error) {
      return Promise.reject(
        error instanceof LoadDriverError
          ? error
          : new LoadDriverError(errorMessage(error), 'builtin'),
      );
    }
    // Like a new swarm in Locust's UI: whatever ran is replaced.
    this.halt();
    const sender = this.options.send
      ? null
      : createLoadHttpSender({ max_sockets: options.users, timeout_ms: this.timeoutMs });
    const swarm: Swarm = {
      host,
      target: options.users,
      spawnIntervalMs: SECOND_MS / options.spawn_rate,
      users: [],
      abort: new AbortController(),
      sender,
      send: this.options.send ?? (sender as LoadHttpSender).send,
      spawnTimer: null,
      stopTimer: null,
      stopped: false,
    };
    // Every in-flight request listens on the swarm's signal: one per user, legitimately.
    setMaxListeners(options.users + 16, swarm.abort.signal);
    this.swarm = swarm;
    this.state = 'spawning';
    if (options.run_time_s !== undefined)
      swarm.stopTimer = this.scheduler.after(options.run_time_s * SECOND_MS, () => this.halt());
    this.spawnNext(swarm);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.halt();
    return Promise.resolve();
  }

  stats(): Promise<LoadStats> {
    const [p50, p95, p99] = this.reservoir.percentiles([0.5, 0.95, 0.99]);
    return Promise.resolve({
      state: this.state,
      users: this.swarm && !this.swarm.stopped ? this.swarm.users.length : 0,
      rps: this.currentRps(),
      fail_ratio: this.requests > 0 ? this.failures / this.requests : 0,
      p50_ms: p50 ?? 0,
      p95_ms: p95 ?? 0,
      p99_ms: p99 ?? 0,
      requests: this.requests,
      failures: this.failures,
    });
  }

  reset(): Promise<void> {
    this.requests = 0;
    this.failures = 0;
    this.reservoir.reset();
    this.perSecond.clear();
    this.executed.clear();
    this.countedSince = this.scheduler.now();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.halt();
    return Promise.resolve();
  }

  /** Task executions since the last reset, by task name (what the mix really did). */
  taskCounts(): ReadonlyMap<string, number> {
    return new Map(this.executed);
  }

  private halt(): void {
    const swarm = this.swarm;
    if (swarm === null || swarm.stopped) return;
    swarm.stopped = true;
    swarm.spawnTimer?.cancel();
    swarm.stopTimer?.cancel();
    for (const user of swarm.users) user.timer?.cancel();
    swarm.abort.abort();
    swarm.sender?.close();
    this.state = 'stopped';
  }

  private spawnNext(swarm: Swarm): void {
    if (swarm.stopped) return;
    const user: VirtualUser = { id: swarm.users.length + 1, cookies: new Map(), timer: null };
    swarm.users.push(user);
    void this.runUser(swarm, user);
    if (swarm.users.length < swarm.target) {
      swarm.spawnTimer = this.scheduler.after(swarm.spawnIntervalMs, () => this.spawnNext(swarm));
    } else {
      swarm.spawnTimer = null;
      this.state = 'running';
    }
  }

  /** One task, then think time, then the next: never rejects. */
  private async runUser(swarm: Swarm, user: VirtualUser): Promise<void> {
    if (swarm.stopped) return;
    const task = pickWeighted(this.tasks, this.random);
    this.executed.set(task.name, (this.executed.get(task.name) ?? 0) + 1);
    for (const request of task.requests(this.random)) {
      if (swarm.stopped) return;
      await this.perform(swarm, user, request);
    }
    if (swarm.stopped) return;
    const thinkMs = this.think.min + this.random() * (this.think.max - this.think.min);
    user.timer = this.scheduler.after(thinkMs, () => void this.runUser(swarm, user));
  }

  private async perform(swarm: Swarm, user: VirtualUser, request: LoadRequest): Promise<void> {
    const headers: Record<string, string> = { 'user-agent': 'opscrew-builtin-load' };
    if (user.cookies.size > 0)
      headers['cookie'] = [...user.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    const startedAt = this.scheduler.now();
    let ok: boolean;
    try {
      const response = await swarm.send(
        {
          method: request.method,
          url: new URL(request.path, swarm.host),
          headers,
          ...(body !== undefined ? { body } : {}),
        },
        swarm.abort.signal,
      );
      // Locust's rule: any status from 400 up is a failure.
      ok = response.status > 0 && response.status < 400;
      for (const cookie of response.setCookies) {
        const [pair] = cookie.split(';');
        const separator = pair?.indexOf('=') ?? -1;
        if (pair !== undefined && separator > 0)
          user.cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
      }
    } catch {
      ok = false;
    }
    // A request cut by stop() says nothing about the shop.
    if (swarm.stopped) return;
    this.record(this.scheduler.now() - startedAt, ok);
  }

  private record(latencyMs: number, ok: boolean): void {
    this.requests += 1;
    if (!ok) this.failures += 1;
    this.reservoir.add(latencyMs);
    const second = Math.floor(this.scheduler.now() / SECOND_MS);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    const oldest = second - RPS_WINDOW_MS / SECOND_MS;
    for (const key of this.perSecond.keys()) if (key <= oldest) this.perSecond.delete(key);
  }

  private currentRps(): number {
    const now = this.scheduler.now();
    const from = Math.max(now - RPS_WINDOW_MS, this.countedSince);
    let count = 0;
    for (const [second, n] of this.perSecond) if ((second + 1) * SECOND_MS > from) count += n;
    // At least one second, so the first request does not read as thousands per second.
    const spanMs = Math.max(SECOND_MS, now - from);
    return (count * SECOND_MS) / spanMs;
  }
}
