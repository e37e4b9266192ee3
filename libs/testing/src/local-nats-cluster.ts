import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUS_USERS,
  type BusUser,
  generateNatsPassword,
  natsPasswordVariable,
  renderNatsServerConf,
  SubjectMapper,
} from '@opscrew/messaging';
import { freePorts } from './free-port';
import { scaledTimeout } from './scaled-timeout';

/** How long one node may take to print "Server is ready" on a quiet machine. */
const NODE_START_MS = 15_000;
/** How long the cluster may take to elect a meta leader with every running node current. */
const CLUSTER_READY_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const POLL_MS = 100;

/** One node's fixed facts: a restart reuses its ports and its store. */
export interface LocalNatsNode {
  readonly index: number;
  /** nats-1, nats-2, … (the deploy/nats/cluster/ names). */
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  readonly dir: string;
  readonly storeDir: string;
  readonly confFile: string;
  readonly logFile: string;
}

export interface LocalNatsClusterOptions {
  /** How many nodes (default 3). */
  readonly nodes?: number;
  /**
   * 'open' (default): no users. 'crew': the crew's per-agent users and permissions (the same
   * renderer as deploy/nats/nats.conf) for `mapper`'s bus, each with a fresh password.
   */
  readonly auth?: 'open' | 'crew';
  /**
   * auth 'crew': these passwords instead of fresh ones (the fault suite's world reuses the run's
   * credentials.env, so `opscrew … --config <run>` finds the cli user's password).
   */
  readonly passwords?: Readonly<Record<BusUser, string>>;
  /**
   * The bus the crew's permissions are rendered for (auth 'crew'): a test's own namespace goes
   * here, or its users may touch nothing of it. Default: the shipped bus (no namespace, OPS).
   */
  readonly mapper?: SubjectMapper;
  readonly clusterName?: string;
  /** Parent of the temp dir holding every node's conf, log and store (default os.tmpdir()). */
  readonly parentDir?: string;
  /** Ports promised to processes not listening yet (the fault world's agents): never reused. */
  readonly avoidPorts?: readonly number[];
}

type Passwords = Readonly<Record<BusUser, string>>;

/** What `/jsz` answers about the meta group (only the fields read here). */
interface JszReply {
  readonly meta_cluster?: { readonly leader?: string; readonly cluster_size?: number };
}

/**
 * A JetStream cluster of real nats-server processes on 127.0.0.1 for tests and the fault suite:
 * N nodes on free ports (client, route, monitoring), each with its own store in one temp dir,
 * every node routing to every other. killNode (SIGKILL by PID), restartNode (same ports, same
 * store), stopAll / restartAll (the whole cluster from disk), cleanup (stops every process it
 * started, by PID, then removes the temp dir). It lives in the test kit, not apps/cli: it needs
 * only the messaging lib's conf renderer, and test/ and every lib's specs may import it here.
 */
export class LocalNatsCluster {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    readonly dir: string,
    readonly nodes: readonly LocalNatsNode[],
    private readonly clusterName: string,
    private readonly mapper: SubjectMapper,
    /** The users' passwords (auth 'crew'); null: an open cluster. */
    readonly passwords: Passwords | null,
  ) {}

  /** Starts every node and waits until the cluster has a meta leader and JetStream is ready. */
  static async start(options: LocalNatsClusterOptions = {}): Promise<LocalNatsCluster> {
    const count = options.nodes ?? 3;
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`LocalNatsCluster: nodes must be a whole number >= 1, got ${count}`);
    }
    const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'opscrew-nats-cluster-'));
    const ports = await freePorts(count * 3, '127.0.0.1', options.avoidPorts ?? []);
    const nodes = Array.from({ length: count }, (_, index): LocalNatsNode => {
      const nodeDir = join(dir, `nats-${index + 1}`);
      return {
        index,
        name: `nats-${index + 1}`,
        clientPort: ports[index * 3] ?? 0,
        clusterPort: ports[index * 3 + 1] ?? 0,
        monitorPort: ports[index * 3 + 2] ?? 0,
        dir: nodeDir,
        storeDir: join(nodeDir, 'store'),
        confFile: join(nodeDir, 'nats.conf'),
        logFile: join(nodeDir, 'nats-server.log'),
      };
    });
    const passwords =
      options.auth === 'crew'
        ? (options.passwords ??
          (Object.fromEntries(BUS_USERS.map((user) => [user, generateNatsPassword()])) as Record<
            BusUser,
            string
          >))
        : null;
    const cluster = new LocalNatsCluster(
      dir,
      nodes,
      options.clusterName ?? 'opscrew-test',
      options.mapper ?? new SubjectMapper(undefined, 'OPS'),
      passwords,
    );
    try {
      for (const node of nodes) cluster.writeConf(node);
      await Promise.all(nodes.map((node) => cluster.spawnNode(node)));
      await cluster.waitReady();
    } catch (error) {
      await cluster.cleanup();
      throw error;
    }
    return cluster;
  }

  /** Every node's client URL, nats://127.0.0.1:<port> (the nats.js `servers` option). */
  servers(): string[] {
    return this.nodes.map((node) => `nats://127.0.0.1:${node.clientPort}`);
  }

  /** nats.js connect options for every node, as `user` when the cluster has the crew's users. */
  connectOptions(user?: BusUser): { servers: string[]; user?: string; pass?: string } {
    if (user === undefined || this.passwords === null) return { servers: this.servers() };
    return { servers: this.servers(), user, pass: this.passwords[user] };
  }

  /** The node's PID while it runs; undefined when it is stopped. */
  pid(index: number): number | undefined {
    return this.running(index) ? this.children.get(index)?.pid : undefined;
  }

  isRunning(index: number): boolean {
    return this.running(index);
  }

  /** SIGKILL by PID (no shutdown, no flush): a crashed node. Resolves once it has exited. */
  async killNode(index: number): Promise<void> {
    const child = this.children.get(this.node(index).index);
    if (child === undefined || !isAlive(child)) return;
    const exited = exitOf(child);
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM by PID (a clean shutdown), SIGKILL after a grace period. */
  async stopNode(index: number): Promise<void> {
    const child = this.children.get(this.node(index).index);
    if (child === undefined || !isAlive(child)) return;
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Starts a stopped node again on its ports with its store, then waits until the cluster is
   * ready with it (it has rejoined the meta group; its streams catch up in the background).
   */
  async restartNode(index: number): Promise<void> {
    const node = this.node(index);
    if (this.running(node.index)) throw new Error(`${node.name} is still running`);
    await this.spawnNode(node);
    await this.waitReady();
  }

  /** Stops every node (SIGTERM, by PID): the stores stay on disk for restartAll. */
  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.stopNode(node.index)));
  }

  /** Starts every stopped node from its store and waits for the cluster to be ready. */
  async restartAll(): Promise<void> {
    const stopped = this.nodes.filter((node) => !this.running(node.index));
    await Promise.all(stopped.map((node) => this.spawnNode(node)));
    await this.waitReady();
  }

  /**
   * Waits until every running node reports the same meta leader over `/jsz` and JetStream
   * enabled (`/healthz?js-enabled-only=true`). Not the full `/healthz`: on nats-server 2.9 a
   * restarted node reports an idle durable "not current" until that consumer next moves, which
   * can take minutes; whether a node has caught up is for the caller to check (its stream
   * state on `/jsz?streams=true`). Throws naming each node's last answer.
   */
  async waitReady(timeoutMs = CLUSTER_READY_MS): Promise<void> {
    const deadline = Date.now() + scaledTimeout(timeoutMs);
    let last = '';
    for (;;) {
      const running = this.nodes.filter((node) => this.running(node.index));
      const states = await Promise.all(running.map((node) => nodeState(node)));
      const leaders = new Set(states.map((state) => state.leader));
      if (
        running.length > 0 &&
        states.every((state) => state.healthy && state.leader !== '') &&
        leaders.size === 1
      ) {
        return;
      }
      last = running.map((node, i) => `${node.name}: ${states[i]?.detail ?? '?'}`).join('; ');
      if (Date.now() > deadline) {
        throw new Error(`NATS cluster not ready in ${timeoutMs} ms (scaled): ${last}`);
      }
      await sleep(POLL_MS);
    }
  }

  /** Stops every node it started (by PID) and removes the temp dir. Safe to call twice. */
  async cleanup(): Promise<void> {
    await Promise.all(
      [...this.children.keys()].map((index) =>
        this.stopNode(index).catch(() => this.children.get(index)?.kill('SIGKILL')),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private node(index: number): LocalNatsNode {
    const node = this.nodes[index];
    if (node === undefined) {
      throw new RangeError(`no node ${index}: the cluster has ${this.nodes.length}`);
    }
    return node;
  }

  private running(index: number): boolean {
    const child = this.children.get(index);
    return child !== undefined && isAlive(child);
  }

  private writeConf(node: LocalNatsNode): void {
    mkdirSync(node.storeDir, { recursive: true, mode: 0o700 });
    const settings = {
      listen: `127.0.0.1:${node.clientPort}`,
      http: `127.0.0.1:${node.monitorPort}`,
      server_name: node.name,
      store_dir: node.storeDir,
      cluster: {
        name: this.clusterName,
        listen: `127.0.0.1:${node.clusterPort}`,
        routes: this.nodes
          .filter((other) => other.index !== node.index)
          .map((other) => `nats-route://127.0.0.1:${other.clusterPort}`),
      },
    };
    const crew = renderNatsServerConf(this.mapper, settings);
    // Open: the same server and cluster settings without the authorization block.
    const conf = this.passwords === null ? crew.replace(/\nauthorization \{[\s\S]*$/, '\n') : crew;
    writeFileSync(node.confFile, conf, { mode: 0o600 });
  }

  private async spawnNode(node: LocalNatsNode): Promise<void> {
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/bin' };
    if (this.passwords !== null) {
      for (const user of BUS_USERS) env[natsPasswordVariable(user)] = this.passwords[user];
    }
    const child = spawn('nats-server', ['-c', node.confFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(node.index, child);
    const log = createWriteStream(node.logFile, { flags: 'a' });
    let output = '';
    const keep = (chunk: Buffer): void => {
      if (output.length < 64_000) output += chunk.toString();
      log.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => log.end());
    const spawnFailure: { error?: Error } = {};
    child.once('error', (error) => {
      spawnFailure.error = error;
    });
    const deadline = Date.now() + scaledTimeout(NODE_START_MS);
    while (!/Server is ready/.test(output)) {
      if (spawnFailure.error !== undefined) {
        throw new Error(
          `cannot run nats-server (${spawnFailure.error.message}); install it (apt-get install nats-server)`,
        );
      }
      if (!isAlive(child)) throw new Error(`${node.name} exited at start; see ${node.logFile}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${node.name} did not start in time; see ${node.logFile}`);
      }
      await sleep(50);
    }
  }
}

interface NodeState {
  readonly healthy: boolean;
  readonly leader: string;
  readonly detail: string;
}

async function nodeState(node: LocalNatsNode): Promise<NodeState> {
  const base = `http://127.0.0.1:${node.monitorPort}`;
  try {
    const health = await fetch(`${base}/healthz?js-enabled-only=true`, {
      signal: AbortSignal.timeout(2_000),
    });
    const healthText = await health.text();
    const jsz = (await (
      await fetch(`${base}/jsz`, { signal: AbortSignal.timeout(2_000) })
    ).json()) as JszReply;
    const leader = jsz.meta_cluster?.leader ?? '';
    return {
      healthy: health.ok,
      leader,
      detail: `healthz ${health.status} ${healthText.trim()}, meta leader ${leader || 'none'}`,
    };
  } catch (error) {
    return { healthy: false, leader: '', detail: (error as Error).message };
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
