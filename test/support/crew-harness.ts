import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigFixture } from '@opscrew/config/testing';
import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { freePort } from '@opscrew/integrations';
import { type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { scaledTimeout } from '@opscrew/testing';

/** A port nothing listens on right now (the kernel picks it); tests import it from here. */
export { freePort };

export const REPO_ROOT = resolve(__dirname, '../..');
export const OPSCREW_BIN = join(REPO_ROOT, 'bin/opscrew.js');
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export function assertBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist/apps/cli/src/main.js'))) {
    throw new Error('e2e tests run the built apps: npm run build first (npm test does it)');
  }
}

export interface CrewOverrides {
  namespace: string;
  ports: Record<AgentName, number>;
  heartbeatIntervalS?: number;
  maxAgeS?: number;
  livenessCheckS?: number;
  /** ops-monitor's detection cycle. */
  cycleIntervalS?: number;
  /** Replaces the shipped scrape targets (service → /metrics URL). */
  scrapeTargets?: Record<string, string>;
  /** The process supervisor's control API for runtime.kind 'process'. */
  processControlUrl?: string;
  /** More overlay keys, deep-merged over the shipped root (e.g. compressed thresholds; not agents). */
  extra?: Record<string, unknown>;
}

/**
 * A copy of the shipped config whose root includes the shipped root and
 * overrides with sibling keys: the same mechanism a team uses for a staging overlay.
 */
export function crewConfig(overrides: CrewOverrides): ConfigFixture {
  const fixture = ConfigFixture.shipped();
  renameSync(join(fixture.dir, 'opscrew.json5'), join(fixture.dir, 'shipped.json5'));
  const heartbeat = overrides.heartbeatIntervalS ?? 1;
  const maxAge = overrides.maxAgeS ?? 3;
  const agents = Object.fromEntries(
    Object.entries(overrides.ports).map(([agent, port]) => [
      agent,
      { port, heartbeat_interval_s: heartbeat, max_age_s: maxAge },
    ]),
  );
  if (overrides.scrapeTargets) {
    // Replaced in the file, not overlaid: an overlay merges maps, and the shipped targets would stay.
    fixture.patch(
      'project/integrations/integrations.json5',
      /targets: \{[^}]*\}/,
      `targets: ${JSON.stringify(overrides.scrapeTargets)}`,
    );
  }
  if (overrides.processControlUrl) {
    fixture.patch(
      'project/integrations/integrations.json5',
      "control_url: 'http://127.0.0.1:7190'",
      `control_url: '${overrides.processControlUrl}'`,
    );
  }
  // Load scenarios need a host: without the shop's frontend among the targets, the load
  // enters at the first synthetic service (config check insists on one, rightly).
  const firstTarget = Object.values(overrides.scrapeTargets ?? {})[0];
  const loadHost =
    overrides.scrapeTargets && !overrides.scrapeTargets.frontend && firstTarget
      ? new URL(firstTarget).origin
      : undefined;
  const root = {
    ...overrides.extra,
    $include: './shipped.json5',
    bus: { namespace: overrides.namespace },
    agents: {
      ...agents,
      ...(loadHost
        ? {
            'demo-controller': {
              ...agents['demo-controller'],
              controller: { load_host: loadHost },
            },
          }
        : {}),
      atlas: { ...agents.atlas, liveness: { check_interval_s: overrides.livenessCheckS ?? 1 } },
      'ops-monitor': {
        ...agents['ops-monitor'],
        monitor: { cycle_interval_s: overrides.cycleIntervalS ?? 1 },
      },
    },
  };
  fixture.write(
    'opscrew.json5',
    `// e2e overlay over the shipped config\n${JSON.stringify(root, null, 2)}\n`,
  );
  return fixture;
}

/** A process of the crew with its output kept in a log file and in memory. */
export class CrewProcess {
  readonly child: ChildProcess;
  private output = '';

  constructor(
    readonly name: string,
    args: string[],
    logFile: string,
    env: Record<string, string> = {},
  ) {
    const log = createWriteStream(logFile);
    this.child = spawn(process.execPath, [OPSCREW_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NATS_URL, OPSCREW_LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString();
      log.write(chunk);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running)
      return Promise.resolve({ code: this.child.exitCode, signal: this.child.signalCode });
    return new Promise((done) => this.child.once('exit', (code, signal) => done({ code, signal })));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited();
    clearTimeout(timer);
  }
}

/** Run the CLI to completion (for `config check`, `incident inject`). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [OPSCREW_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NATS_URL, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Polls until `check` returns a value (not undefined/false), or fails with the last error.
 * `timeoutMs` is the wait on a quiet machine, stretched by the load (scaledTimeout).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const budget = scaledTimeout(timeoutMs);
  const deadline = Date.now() + budget;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${budget} ms (${timeoutMs} ms × load) waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function readLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * One e2e suite's world: a bus namespace of its own (stream OPS_<ns>, buckets
 * <ns>_*), free ports for the four agents, an overlay config, and every
 * process it spawned — all removed again by `dispose()`.
 */
export class CrewTestEnvironment {
  private readonly processes: CrewProcess[] = [];

  private constructor(
    readonly namespace: string,
    readonly ports: Record<AgentName, number>,
    readonly fixture: ConfigFixture,
    readonly bus: NatsConnectionService,
  ) {}

  static async create(
    observerName: string,
    overrides: Omit<CrewOverrides, 'namespace' | 'ports'> = {},
  ): Promise<CrewTestEnvironment> {
    assertBuilt();
    const ports = {} as Record<AgentName, number>;
    for (const agent of AGENT_NAMES) ports[agent] = await freePort();
    const namespace = testNamespace();
    const fixture = crewConfig({ ...overrides, namespace, ports });
    const { bus } = await openTestBus(NATS_URL, namespace, observerName);
    return new CrewTestEnvironment(namespace, ports, fixture, bus);
  }

  url(agent: AgentName, path: string): string {
    return `http://127.0.0.1:${this.ports[agent]}${path}`;
  }

  /** Runs `opscrew <args> --config <overlay>`; its output goes to <project>/<name>.log. */
  spawn(name: string, args: string[], env: Record<string, string> = {}): CrewProcess {
    const process = new CrewProcess(
      name,
      [...args, '--config', this.fixture.dir],
      join(this.fixture.projectDir, `${name}.log`),
      env,
    );
    this.processes.push(process);
    return process;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
    await removeTestTopology(this.bus);
    await this.bus.close();
    this.fixture.remove();
  }
}
