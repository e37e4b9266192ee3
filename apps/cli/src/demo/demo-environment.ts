import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { busOptionsFromConfig } from '@opscrew/agent-core';
import { loadConfig, type OpscrewConfig, readRuntimeEnvironment } from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import { BuiltinLoadDriver, isLocustInstalled, LocustProcess } from '@opscrew/integrations';
import { NatsConnectionService, provisionAll, removeBusTopology } from '@opscrew/messaging';
import { ChildProcesses } from './child-processes';
import { DemoObserver, poll } from './demo-observer';
import { writeDemoConfig } from './demo-overlay';
import { type ScenarioStarter } from './demo-story';

/** Every agent and the shop answer /health within this on a cold start (node + Nest boot). */
const START_TIMEOUT_MS = 40_000;
/** Light background traffic through the frontend, so every service has a rate to measure. */
const BACKGROUND_USERS = 4;
const LOCUST_PORT = 8089;
/** The ports the shipped config gives the agents, the shop and its supervisor. */
const FIXED_PORTS = [
  3000, 3001, 3002, 3003, 7100, 7101, 7102, 7103, 7104, 7105, 7106, 7107, 7108, 7190,
];

export const DEMO_AGENTS: readonly AgentName[] = [
  'atlas',
  'ops-monitor',
  'jira-resolver',
  'demo-controller',
];

export interface DemoEnvironmentOptions {
  readonly repoRoot: string;
  /** The CLI entry (`bin/opscrew.js`): every child runs through it, as a user would. */
  readonly bin: string;
  /** The run folder: config overlay, logs, local state. */
  readonly runDir: string;
  readonly say: (line: string) => void;
  /** Use the built-in load driver even when Locust is installed. */
  readonly builtinLoad?: boolean;
  /** demo-controller's lock lease (s); see DemoOverlayOptions.lockLeaseS. */
  readonly lockLeaseS?: number;
  /** Aborted on Ctrl-C: a start under way gives up, waits end at once. */
  readonly signal?: AbortSignal;
}

/**
 * The demo's world, all on loopback: the bus topology in a namespace of its
 * own, the shop under its process supervisor, Locust when installed (else the
 * built-in driver), the four agents, and light background traffic. Shared by
 * `npm run demo`, its e2e tests and the loop bench. `dispose()` stops every
 * process it started, by PID, and removes its bus topology; a failed start
 * cleans up after itself before throwing.
 */
export class DemoEnvironment {
  readonly children = new ChildProcesses();
  readonly token = randomBytes(24).toString('hex');
  /** The agents' REST bearer token (http.api_token) for this run only, like the shop's token. */
  readonly apiToken = randomBytes(24).toString('hex');
  readonly logsDir: string;
  private locust: LocustProcess | null = null;
  private background: BuiltinLoadDriver | null = null;
  private busConnection: NatsConnectionService | null = null;
  private loaded: { config: OpscrewConfig; configDir: string; useLocust: boolean } | null = null;
  private observerInstance: DemoObserver | null = null;
  private disposed: Promise<void> | null = null;
  /** Every child's environment: ours, plus the shop token and the log level. */
  private childEnv: Record<string, string | undefined> = {};

  private constructor(private readonly options: DemoEnvironmentOptions) {
    this.logsDir = join(options.runDir, 'logs');
  }

  static async start(options: DemoEnvironmentOptions): Promise<DemoEnvironment> {
    const environment = new DemoEnvironment(options);
    try {
      await environment.boot();
      return environment;
    } catch (error) {
      await environment.dispose();
      throw error;
    }
  }

  get config(): OpscrewConfig {
    return this.require().config;
  }

  get configDir(): string {
    return this.require().configDir;
  }

  get loadDriver(): 'locust' | 'builtin' {
    return this.require().useLocust ? 'locust' : 'builtin';
  }

  get bus(): NatsConnectionService {
    if (!this.busConnection) throw new Error('the demo environment is not started');
    return this.busConnection;
  }

  get observer(): DemoObserver {
    if (!this.observerInstance) throw new Error('the demo environment is not started');
    return this.observerInstance;
  }

  /** An agent's HTTP base URL on loopback. */
  agentUrl(agent: AgentName): string {
    const port = this.config.agents.get(agent)?.port;
    if (port === undefined) throw new Error(`no port configured for ${agent}`);
    return `http://127.0.0.1:${port}`;
  }

  /** demo-controller's scenario API, as the story drives it. */
  get scenarios(): ScenarioStarter {
    const controller = this.agentUrl('demo-controller');
    // The token the agents loaded (this run's OPSCREW_API_TOKEN): POST /scenarios/… requires it.
    const authorization = `Bearer ${this.config.http.api_token ?? ''}`;
    return {
      run: async (name, durationScale) => {
        const response = await fetch(`${controller}/scenarios/${name}/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ duration_scale: durationScale }),
        });
        if (!response.ok)
          throw new Error(
            `demo-controller refused ${name}: ${response.status} ${await response.text()}`,
          );
        return (await response.json()) as { run_id: string; ends_at: string; locked: string[] };
      },
      waitIdle: async (timeoutMs) =>
        (await poll(
          async () => {
            const body = (await (await fetch(`${controller}/scenarios`)).json()) as {
              running: unknown;
            };
            return body.running === null ? true : undefined;
          },
          timeoutMs,
          500,
          this.options.signal,
        )) === true,
    };
  }

  /** Starts an agent (again), e.g. after a test killed it. Resolves once it is healthy. */
  async startAgent(agent: AgentName): Promise<void> {
    this.node(agent, ['start', agent]);
    await this.waitHealthy(agent, `${this.agentUrl(agent)}/health`);
  }

  /** Stops everything this environment started (idempotent). */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await this.background?.close().catch(() => undefined);
      await this.children.stopAll();
      await this.locust?.stop().catch(() => undefined);
      if (this.busConnection) {
        await removeBusTopology(this.busConnection).catch(() => undefined);
        await this.busConnection.close().catch(() => undefined);
      }
    })();
    return this.disposed;
  }

  private require(): { config: OpscrewConfig; configDir: string; useLocust: boolean } {
    if (!this.loaded) throw new Error('the demo environment is not started');
    return this.loaded;
  }

  private async boot(): Promise<void> {
    const { options } = this;
    const busy = await busyPorts(FIXED_PORTS);
    if (busy.length > 0) {
      throw new Error(
        `port(s) ${busy.join(', ')} already in use on 127.0.0.1 — stop what listens there (another opscrew?) and retry`,
      );
    }
    const useLocust =
      !options.builtinLoad &&
      (await isLocustInstalled()) &&
      (await busyPorts([LOCUST_PORT])).length === 0;
    const configDir = writeDemoConfig({
      sourceConfig: join(options.repoRoot, 'config'),
      runDir: options.runDir,
      namespace: `demo${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
      load: useLocust
        ? { kind: 'locust', locustApiUrl: `http://127.0.0.1:${LOCUST_PORT}` }
        : { kind: 'builtin' },
      ...(options.lockLeaseS !== undefined ? { lockLeaseS: options.lockLeaseS } : {}),
    });
    const env = {
      ...readRuntimeEnvironment().env,
      OPSCREW_SHOP_TOKEN: this.token,
      OPSCREW_API_TOKEN: this.apiToken,
      OPSCREW_LOG_LEVEL: 'info',
    };
    const loaded = loadConfig({ configDir, env });
    const config = loaded.config;
    this.loaded = { config, configDir, useLocust };
    this.childEnv = env;

    this.busConnection = new NatsConnectionService({
      ...busOptionsFromConfig(config.bus, 'opscrew-demo'),
      wait_on_first_connect: false,
    });
    await this.busConnection.connect();
    await provisionAll(await this.busConnection.jetstreamManager(), this.busConnection.subjects, {
      duplicate_window_ms: this.busConnection.options.duplicate_window_ms,
    });

    mkdirSync(this.logsDir, { recursive: true });
    options.say('starting the demo shop (9 services under the process supervisor)');
    this.node('shop', ['shop']);
    const frontend = this.frontendUrl;
    await this.waitHealthy('the shop', `${frontend}/health`, 'shop');
    if (useLocust) {
      options.say(`starting Locust on 127.0.0.1:${LOCUST_PORT}`);
      this.locust = await LocustProcess.start({
        locustfile: join(options.repoRoot, 'deploy/locust/locustfile.py'),
        port: LOCUST_PORT,
        cwd: options.repoRoot,
      });
    } else {
      options.say(
        options.builtinLoad
          ? 'load: the built-in driver (asked for)'
          : 'Locust is not installed: the built-in load driver stands in (same API)',
      );
    }
    options.say(`starting the crew: ${DEMO_AGENTS.join(', ')}`);
    for (const agent of DEMO_AGENTS) this.node(agent, ['start', agent]);
    for (const agent of DEMO_AGENTS)
      await this.waitHealthy(agent, `${this.agentUrl(agent)}/health`);
    this.background = new BuiltinLoadDriver();
    await this.background.start({
      users: BACKGROUND_USERS,
      spawn_rate: BACKGROUND_USERS,
      host: frontend,
    });
    options.say(`crew up; background traffic: ${BACKGROUND_USERS} users on the frontend`);

    const controlUrl = config.integrations.runtime.process?.control_url ?? 'http://127.0.0.1:7190';
    this.observerInstance = new DemoObserver(
      this.agentUrl('atlas'),
      controlUrl,
      this.token,
      loaded.resolvePath(config.integrations.notifier.jsonl_path),
      this.busConnection,
    );
  }

  /** The shop's entry point (the load's host). */
  get frontendUrl(): string {
    return 'http://127.0.0.1:7100';
  }

  private node(name: string, args: string[]): void {
    this.children.start({
      name,
      command: process.execPath,
      args: [this.options.bin, ...args, '--config', this.configDir],
      env: this.childEnv,
      cwd: this.options.repoRoot,
      logFile: join(this.logsDir, `${name}.log`),
    });
  }

  private async waitHealthy(what: string, url: string, logName = what): Promise<void> {
    const healthy = await poll(
      async () => ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined),
      START_TIMEOUT_MS,
      250,
      this.options.signal,
    );
    if (this.options.signal?.aborted) throw new Error('interrupted');
    if (!healthy) {
      throw new Error(
        `${what} did not become healthy within ${START_TIMEOUT_MS / 1000} s (see ${join(this.logsDir, `${logName}.log`)})`,
      );
    }
  }
}

/** Ports something already listens on (the demo's are fixed by the shipped config). */
async function busyPorts(ports: readonly number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  return busy;
}
