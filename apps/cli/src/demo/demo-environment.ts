// Over ~300 lines: the demo's processes in start order (NATS, the shop, Locust, the four agents), their health
// waits and the stop in reverse; one lifecycle, owned in one place.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { busOptionsFromConfig } from '@opscrew/agent-core';
import {
  loadConfig,
  type OpscrewConfig,
  readRuntimeEnvironment,
  SUPERVISOR_TOKEN_VARIABLE,
  SUPERVISOR_URL_VARIABLE,
  type SupervisorControl,
} from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import {
  assertPortsFree,
  BuiltinLoadDriver,
  freePorts,
  isLocustInstalled,
  LocustProcess,
} from '@opscrew/integrations';
import {
  ADMIN_USER,
  NatsConnectionService,
  provisionAll,
  removeBusTopology,
  SubjectMapper,
} from '@opscrew/messaging';
import { SHOP_LOAD_MIX } from '../../../demo-controller/src';
import { provisionBus } from '../commands/bus-provision.command';
import { agentBusEnv, writeAgentBusAuthEntry } from '../local-nats/agent-bus-auth';
import { type LocalBus, startLocalBus } from '../local-nats/local-bus';
import { ensureLocalCredentials, type Passwords } from '../local-nats/local-credentials';
import { type ChildRestart } from '../supervisor/agent-supervisor';
import { SupervisorControlServer } from '../supervisor/supervisor-control.server';
import { ChildProcesses } from './child-processes';
import { DemoObserver, poll } from './demo-observer';
import { writeDemoConfig } from './demo-overlay';
import {
  DEMO_AGENTS,
  DEMO_HOST,
  demoPortClaims,
  type DemoPortPlan,
  describeDemoPorts,
  planDemoPorts,
} from './demo-port.plan';
import { type ScenarioStarter } from './demo-story';

/** A CLI command of the story (`opscrew chat`, `opscrew report --now`): atlas answers in seconds. */
const CLI_TIMEOUT_MS = 60_000;
/** Every agent and the shop answer /health within this on a cold start (node + Nest boot). */
const START_TIMEOUT_MS = 40_000;
/** Light background traffic through the frontend, so every service has a rate to measure. */
const BACKGROUND_USERS = 4;

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
  /**
   * Where everything listens; the shipped config's ports (planDemoPorts())
   * when absent. The loop bench and the e2e tests pass freeDemoPorts().
   */
  readonly ports?: DemoPortPlan;
  /**
   * Run the bus like `npm start` does: our own nats-server for this run (its store in the run
   * folder) with per-agent users, the credentials from `<credentialsDir>/credentials.env`
   * (generated on first use, kept), provisioned as admin; each agent gets only its own
   * password, the demo itself watches as the `cli` user. Absent: the config's NATS
   * (NATS_URL; an open bus, where the demo provisions its namespace itself).
   */
  readonly localNats?: { readonly credentialsDir: string };
  /** More config keys deep-merged over the demo's overlay (the fault suite's contract servers). */
  readonly overlay?: Readonly<Record<string, unknown>>;
  /**
   * More config keys for single agents only, over their entry (the fault suite points
   * ops-monitor's scrape targets at a proxy; the shop keeps listening where the config says).
   */
  readonly agentOverlays?: Readonly<Partial<Record<AgentName, Readonly<Record<string, unknown>>>>>;
  /** More variables for every child (the contract servers' URLs and tokens). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /**
   * Processes per agent (default 1). Above 1 each runs with OPSCREW_REPLICA_ID=<agent>-<i> and
   * its own HTTP port (PORT): replica 1 on the configured port, the others on free ones.
   */
  readonly replicas?: number;
  /**
   * With localNats: a NATS cluster instead of the single nats-server, started by the caller (the
   * fault suite's LocalNatsCluster; apps may not import the test kit) with the run's passwords
   * and the run's bus's permissions. The demo provisions it as admin and stops it in dispose().
   */
  readonly natsCluster?: (spec: {
    readonly passwords: Passwords;
    readonly mapper: SubjectMapper;
  }) => Promise<DemoNatsCluster>;
}

/** What the demo needs of a caller's NATS cluster. */
export interface DemoNatsCluster {
  /** Every node's client URL. */
  servers(): string[];
  /** Stops every node it started, by PID. */
  cleanup(): Promise<void>;
}

/** One agent process: its agent, its replica id (the child's name) and its HTTP port. */
export interface DemoReplica {
  readonly agent: AgentName;
  readonly name: string;
  readonly port: number;
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
  readonly ports: DemoPortPlan;
  private locust: LocustProcess | null = null;
  private background: BuiltinLoadDriver | null = null;
  private busConnection: NatsConnectionService | null = null;
  private loaded: { config: OpscrewConfig; configDir: string; useLocust: boolean } | null = null;
  private observerInstance: DemoObserver | null = null;
  private disposed: Promise<void> | null = null;
  /** Every child's environment: ours, plus the shop token and the log level. */
  private childEnv: Record<string, string | undefined> = {};
  /** The embedded bus of this run (options.localNats), and each agent's entry file on it. */
  private localBus: LocalBus | null = null;
  private readonly agentEntries = new Map<AgentName, string>();
  /** The run's bus auth (own server or cluster): each agent's password and the URL(s). */
  private busAuth: { readonly passwords: Passwords; readonly url: string } | null = null;
  private cluster: DemoNatsCluster | null = null;
  /** Every agent's processes (options.replicas of each). */
  private replicaPlan: DemoReplica[] = [];
  /** The run's own nats-server's port (options.localNats): a restart comes back on it. */
  private natsPort: number | null = null;
  /**
   * The demo is its agents' supervisor, like `opscrew start all`: atlas restarts a stale agent
   * through this loopback endpoint (its URL and token go into atlas's environment only).
   */
  private readonly controlServer = new SupervisorControlServer({
    supervises: (agent: string): agent is AgentName =>
      (DEMO_AGENTS as readonly string[]).includes(agent),
    restart: (agent) => this.restartAgent(agent),
  });
  private control: SupervisorControl | null = null;

  private constructor(private readonly options: DemoEnvironmentOptions) {
    this.logsDir = join(options.runDir, 'logs');
    this.ports = options.ports ?? planDemoPorts();
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
    return `http://${DEMO_HOST}:${port}`;
  }

  /** Every agent process (replicas), in start order. */
  get replicaList(): readonly DemoReplica[] {
    return this.replicaPlan;
  }

  /** An agent's processes. */
  replicasOf(agent: AgentName): DemoReplica[] {
    return this.replicaPlan.filter((replica) => replica.agent === agent);
  }

  /** A replica's HTTP base URL on loopback. */
  replicaUrl(replica: DemoReplica): string {
    return `http://${DEMO_HOST}:${replica.port}`;
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

  /**
   * Starts an agent's processes that do not run (again), e.g. after a test killed one; the
   * running ones are left alone. Resolves once every one is healthy.
   */
  async startAgent(agent: AgentName): Promise<void> {
    for (const replica of this.replicasOf(agent)) {
      const child = this.children.get(replica.name);
      if (
        child !== undefined &&
        child.killed &&
        child.exitCode === null &&
        child.signalCode === null
      )
        // Signalled a moment ago (killAgent): its exit event may still be on its way, and its
        // port is free only once it has exited.
        await new Promise((resolve) => child.once('exit', resolve));
      if (
        child === undefined ||
        child.killed ||
        child.exitCode !== null ||
        child.signalCode !== null
      )
        this.startReplica(replica);
    }
    for (const replica of this.replicasOf(agent))
      await this.waitHealthy(replica.name, `${this.replicaUrl(replica)}/health`);
  }

  /** The notifier's lines so far (CrewChiefWorld). */
  notifications(): readonly { readonly idempotency_key: string; readonly kind: string }[] {
    return this.observer.notifications();
  }

  /** SIGKILL to an agent, as a crash would (the story's "killed agent"); its PID. */
  killAgent(agent: AgentName): number | null {
    const first = this.replicasOf(agent)[0];
    return first === undefined ? null : this.killReplica(first.name);
  }

  /** A running agent process's PID by its replica name; null when it does not run. */
  replicaPid(name: string): number | null {
    const child = this.children.get(name);
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null)
      return null;
    return child.pid;
  }

  /** SIGKILL to one agent process by its replica name (replicaList), by PID; its PID. */
  killReplica(name: string): number | null {
    const child = this.children.get(name);
    if (child?.pid === undefined || child.exitCode !== null) return null;
    child.kill('SIGKILL');
    return child.pid;
  }

  /** `opscrew <args> --config <the demo's config>`, as a user runs it (the run's environment). */
  cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolvePromise) => {
      execFile(
        process.execPath,
        [this.options.bin, ...args, '--config', this.configDir],
        {
          cwd: this.options.repoRoot,
          env: this.withControl('cli', this.childEnv),
          timeout: CLI_TIMEOUT_MS,
        },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolvePromise({ code, stdout, stderr });
        },
      );
    });
  }

  /**
   * On atlas's request (a stale heartbeat): the agent — every replica of it, since the control
   * endpoint names an agent, not a process — stopped by PID and started again. The PIDs
   * reported are the first replica's.
   */
  private async restartAgent(agent: AgentName): Promise<ChildRestart> {
    if (this.disposed) throw new Error('the demo is stopping');
    const replicas = this.replicasOf(agent);
    const first = replicas[0]?.name ?? agent;
    const oldPid = this.children.get(first)?.pid ?? null;
    for (const replica of replicas) await this.children.stop(replica.name);
    // Stopping meanwhile: a child started now would outlive the demo.
    if (this.disposed) throw new Error('the demo is stopping');
    for (const replica of replicas) this.startReplica(replica);
    const newPid = this.children.get(first)?.pid ?? null;
    this.options.say(`atlas restarted ${agent} (pid ${oldPid ?? '?'} → ${newPid ?? '?'})`);
    return { agent, old_pid: oldPid, new_pid: newPid };
  }

  /** The run's own nats-server's PID (options.localNats), null on a bus of the user's. */
  get natsPid(): number | null {
    return this.localBus?.server.pid ?? null;
  }

  /**
   * SIGKILL to the run's own nats-server, as a crash would (the fault suite); its PID. The store
   * stays: restartNats() brings the same server back from disk.
   */
  killNats(): number | null {
    const pid = this.localBus?.server.pid;
    if (pid === undefined) return null;
    process.kill(pid, 'SIGKILL');
    return pid;
  }

  /**
   * The run's own nats-server started again on the same port from the same store (stopped
   * first, gracefully, when it still runs): a whole-"cluster" restart from disk for one node.
   */
  async restartNats(): Promise<void> {
    const local = this.localBus;
    if (local === null || this.natsPort === null)
      throw new Error('restartNats: the demo runs no nats-server of its own');
    await local.server.stop();
    const dir = join(this.options.runDir, 'nats');
    this.localBus = await startLocalBus({
      dir,
      credentialsDir: this.options.localNats?.credentialsDir ?? dir,
      storeDir: join(dir, 'store'),
      port: this.natsPort,
      httpPort: null,
      config: this.config,
      serverName: 'opscrew-demo',
    });
  }

  /** Stops everything this environment started (idempotent). */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      // First: no restart may race the stop below.
      await this.controlServer.stop().catch(() => undefined);
      await this.background?.close().catch(() => undefined);
      await this.children.stopAll();
      await this.locust?.stop().catch(() => undefined);
      if (this.busConnection) {
        // On the run's own server nobody may delete anything: the server and its store go instead.
        if (!this.localBus) await removeBusTopology(this.busConnection).catch(() => undefined);
        await this.busConnection.close().catch(() => undefined);
      }
      await this.localBus?.server
        .stopAndRemove(join(this.options.runDir, 'nats', 'store'))
        .catch(() => undefined);
      await this.cluster?.cleanup().catch(() => undefined);
    })();
    return this.disposed;
  }

  private require(): { config: OpscrewConfig; configDir: string; useLocust: boolean } {
    if (!this.loaded) throw new Error('the demo environment is not started');
    return this.loaded;
  }

  private async boot(): Promise<void> {
    const { options, ports } = this;
    const useLocust = !options.builtinLoad && (await isLocustInstalled());
    // Every port at once, before anything starts: a busy one is named with the option
    // that moves it, instead of half a demo coming up and then failing.
    await assertPortsFree(demoPortClaims(ports, { locust: useLocust }));
    options.say(`ports: ${describeDemoPorts(ports, { locust: useLocust })} on ${DEMO_HOST}`);
    const configDir = writeDemoConfig({
      sourceConfig: join(options.repoRoot, 'config'),
      runDir: options.runDir,
      namespace: `demo${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
      load: { kind: useLocust ? 'locust' : 'builtin' },
      ports,
      ...(options.lockLeaseS !== undefined ? { lockLeaseS: options.lockLeaseS } : {}),
      ...(options.overlay !== undefined ? { extra: options.overlay } : {}),
    });
    // PORT would override every agent's configured port with one and the same
    // (docs/configuration.md): the demo's children take theirs from the overlay only. No child
    // inherits a NATS password: on the run's own bus each agent gets its own (agentBusEnv).
    const { PORT: _ignored, ...inherited } = readRuntimeEnvironment().env;
    const natsPort = options.localNats && !options.natsCluster ? await this.freeNatsPort() : null;
    this.natsPort = natsPort;
    const env = {
      ...Object.fromEntries(
        Object.entries(inherited).filter(([name]) => !name.startsWith('NATS_PASSWORD_')),
      ),
      OPSCREW_SHOP_TOKEN: this.token,
      OPSCREW_API_TOKEN: this.apiToken,
      OPSCREW_LOG_LEVEL: 'info',
      ...options.extraEnv,
      ...(natsPort !== null ? { NATS_URL: `nats://127.0.0.1:${natsPort}` } : {}),
    };
    if (options.localNats && options.natsCluster) {
      // The cluster's permissions are the run's bus's (its namespace): read from the config
      // first, then the config again with the cluster's URLs.
      const first = loadConfig({ configDir, env }).config;
      const credentials = ensureLocalCredentials(options.localNats.credentialsDir);
      this.cluster = await options.natsCluster({
        passwords: credentials.passwords,
        mapper: new SubjectMapper(first.bus.namespace, first.bus.stream),
      });
      env.NATS_URL = this.cluster.servers().join(',');
      this.busAuth = { passwords: credentials.passwords, url: env.NATS_URL };
      options.say(`NATS: a ${this.cluster.servers().length}-node cluster (${env.NATS_URL})`);
    }
    const loaded = loadConfig({ configDir, env });
    const config = loaded.config;
    this.loaded = { config, configDir, useLocust };
    this.childEnv = env;
    this.replicaPlan = await this.planReplicas(config);

    if (options.localNats && this.cluster !== null && this.busAuth !== null) {
      await provisionBus(config, {
        user: ADMIN_USER,
        pass: this.busAuth.passwords[ADMIN_USER],
        servers: this.cluster.servers(),
        source: join(options.localNats.credentialsDir, 'credentials.env'),
      });
      for (const agent of DEMO_AGENTS)
        this.agentEntries.set(
          agent,
          this.withAgentOverlay(agent, writeAgentBusAuthEntry(loaded, agent)),
        );
      this.busConnection = new NatsConnectionService({
        ...busOptionsFromConfig(config.bus, 'opscrew-demo'),
        user: 'cli',
        pass: this.busAuth.passwords.cli,
        wait_on_first_connect: false,
      });
      await this.busConnection.connect();
    } else if (options.localNats && natsPort !== null) {
      const dir = join(options.runDir, 'nats');
      this.localBus = await startLocalBus({
        dir,
        credentialsDir: options.localNats.credentialsDir,
        storeDir: join(dir, 'store'),
        port: natsPort,
        httpPort: null,
        config,
        serverName: 'opscrew-demo',
      });
      this.busAuth = {
        passwords: this.localBus.credentials.passwords,
        url: this.localBus.server.url,
      };
      options.say(
        `NATS: our own server on ${this.localBus.server.url} with per-agent users (credentials ${this.localBus.credentials.path})`,
      );
      for (const agent of DEMO_AGENTS)
        this.agentEntries.set(
          agent,
          this.withAgentOverlay(agent, writeAgentBusAuthEntry(loaded, agent)),
        );
      // The demo watches (tickets, the ledger) as the CLI's user: it reads, it changes nothing.
      this.busConnection = new NatsConnectionService({
        ...busOptionsFromConfig(config.bus, 'opscrew-demo'),
        user: 'cli',
        pass: this.localBus.credentials.passwords.cli,
        wait_on_first_connect: false,
      });
      await this.busConnection.connect();
    } else {
      this.busConnection = new NatsConnectionService({
        ...busOptionsFromConfig(config.bus, 'opscrew-demo'),
        wait_on_first_connect: false,
      });
      await this.busConnection.connect();
      await provisionAll(await this.busConnection.jetstreamManager(), this.busConnection.subjects, {
        duplicate_window_ms: this.busConnection.options.duplicate_window_ms,
      });
    }

    mkdirSync(this.logsDir, { recursive: true });
    options.say('starting the demo shop (9 services under the process supervisor)');
    this.node('shop', ['shop']);
    const frontend = this.frontendUrl;
    await this.waitHealthy('the shop', `${frontend}/health`, 'shop');
    if (useLocust) {
      options.say(`starting Locust on ${DEMO_HOST}:${ports.locust}`);
      this.locust = await LocustProcess.start({
        locustfile: join(options.repoRoot, 'deploy/locust/locustfile.py'),
        port: ports.locust,
        cwd: options.repoRoot,
      });
    } else {
      options.say(
        options.builtinLoad
          ? 'load: the built-in driver (asked for)'
          : 'Locust is not installed: the built-in load driver stands in (same API)',
      );
    }
    this.control = await this.controlServer.start();
    options.say(`starting the crew: ${DEMO_AGENTS.join(', ')}`);
    for (const replica of this.replicaPlan) this.startReplica(replica);
    for (const replica of this.replicaPlan)
      await this.waitHealthy(replica.name, `${this.replicaUrl(replica)}/health`);
    this.background = new BuiltinLoadDriver(SHOP_LOAD_MIX);
    await this.background.start({
      users: BACKGROUND_USERS,
      spawn_rate: BACKGROUND_USERS,
      host: frontend,
    });
    options.say(`crew up; background traffic: ${BACKGROUND_USERS} users on the frontend`);

    const controlUrl = config.integrations.runtime.process?.control_url;
    if (controlUrl === undefined)
      throw new Error('the demo config has no integrations.runtime.process.control_url');
    this.observerInstance = new DemoObserver(
      this.agentUrl('atlas'),
      controlUrl,
      this.token,
      loaded.resolvePath(config.integrations.notifier.jsonl_path),
      this.busConnection,
    );
  }

  /**
   * A free port for the run's nats-server that is none of the plan's: the plan's ports were free
   * a moment ago but nobody listens on them yet, so the kernel may hand one out again.
   */
  private async freeNatsPort(): Promise<number> {
    return this.freeUnplannedPort(new Set());
  }

  private async freeUnplannedPort(taken: ReadonlySet<number>): Promise<number> {
    const { ports } = this;
    const planned = new Set<number>([
      ...Object.values(ports.agents),
      ...Object.values(ports.shop),
      ports.supervisor,
      ports.locust,
      ...(this.natsPort !== null ? [this.natsPort] : []),
      ...taken,
    ]);
    const [port] = await freePorts(1, DEMO_HOST, planned);
    if (port === undefined) throw new Error('no free port on the loopback');
    return port;
  }

  /**
   * options.replicas processes per agent: one agent alone keeps its name and port (the demo as
   * ever); with more, replica 1 keeps the configured port and the others get free ports.
   */
  private async planReplicas(config: OpscrewConfig): Promise<DemoReplica[]> {
    const count = this.options.replicas ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`replicas must be a whole number >= 1, got ${count}`);
    const taken = new Set<number>();
    const plan: DemoReplica[] = [];
    for (const agent of DEMO_AGENTS) {
      const configured = config.agents.get(agent)?.port;
      if (configured === undefined) throw new Error(`no port configured for ${agent}`);
      for (let index = 1; index <= count; index++) {
        const port = index === 1 ? configured : await this.freeUnplannedPort(taken);
        taken.add(port);
        plan.push({ agent, name: count === 1 ? agent : `${agent}-${index}`, port });
      }
    }
    return plan;
  }

  /** The shop's entry point (the load's host). */
  get frontendUrl(): string {
    return `http://${DEMO_HOST}:${this.ports.shop.frontend}`;
  }

  /** An agent process: on the run's own bus, with its entry file and its own password only. */
  private startReplica(replica: DemoReplica): void {
    const { agent, name } = replica;
    // Only with replicas: one process per agent keeps the environment the demo always had.
    const own: Record<string, string> =
      name === agent ? {} : { OPSCREW_REPLICA_ID: name, PORT: String(replica.port) };
    const entry = this.agentEntries.get(agent);
    const auth = this.busAuth;
    if (entry === undefined || auth === null) {
      this.node(
        name,
        ['start', agent],
        this.configDir,
        this.withControl(agent, { ...this.childEnv, ...own }),
      );
      return;
    }
    this.node(
      name,
      ['start', agent],
      entry,
      this.withControl(agent, {
        ...agentBusEnv(this.childEnv, agent, auth.passwords, auth.url),
        ...own,
      }),
    );
  }

  /** The agent's entry, or one over it with options.agentOverlays[agent] (same folder). */
  private withAgentOverlay(agent: AgentName, entry: string): string {
    const overlay = this.options.agentOverlays?.[agent];
    if (overlay === undefined) return entry;
    const path = join(dirname(entry), `.overlay.${agent}.json5`);
    writeFileSync(
      path,
      `// GENERATED: ${agent}'s entry with the run's own keys over it.\n${JSON.stringify({ ...overlay, $include: `./${basename(entry)}` }, null, 2)}\n`,
    );
    return path;
  }

  /** atlas gets the control endpoint; nobody else gets its token. */
  private withControl(
    agent: AgentName | 'cli',
    env: Record<string, string | undefined>,
  ): Record<string, string | undefined> {
    const { [SUPERVISOR_URL_VARIABLE]: _url, [SUPERVISOR_TOKEN_VARIABLE]: _token, ...rest } = env;
    if (agent !== 'atlas' || this.control === null) return rest;
    return {
      ...rest,
      [SUPERVISOR_URL_VARIABLE]: this.control.url,
      [SUPERVISOR_TOKEN_VARIABLE]: this.control.token,
    };
  }

  private node(
    name: string,
    args: string[],
    config: string = this.configDir,
    env: Record<string, string | undefined> = this.childEnv,
  ): void {
    this.children.start({
      name,
      command: process.execPath,
      args: [this.options.bin, ...args, '--config', config],
      env,
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
