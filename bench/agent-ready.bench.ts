import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { freePorts } from '@opscrew/integrations';
import { NatsConnectionService, provisionAll, removeBusTopology } from '@opscrew/messaging';
import { emit, nowMs, round } from './bench-output';
import { cpuSecondsOf, stopChild } from './bench-process';

/** The target: an agent answers /health 200 within 2 s of its start, alone or beside the others. */
const TARGET_READY_MS = 2_000;
/** Past this an agent is not slow but stuck: the run says so instead of waiting forever. */
const GIVE_UP_MS = 60_000;
const POLL_MS = 20;
/** SIGTERM → SIGKILL for what this bench started. */
const STOP_GRACE_MS = 15_000;

/**
 * Time from spawn to the first `GET /health` 200, per agent, as operators start them: the
 * `opscrew` CLI (`start <agent>`, each alone, then `start all`, the supervisor with its four
 * children), on the shipped config in a bus namespace of its own (provisioned here first,
 * removed after). Also the supervisor's resident memory once every child answers.
 */
export async function benchAgentReady(repoRoot: string, natsUrl: string): Promise<void> {
  Logger.overrideLogger(['error']);
  const runDir = mkdtempSync(join(tmpdir(), 'opscrew-bench-ready-'));
  const namespace = `benchready${Date.now().toString(36)}`;
  const bus = new NatsConnectionService({
    servers: [natsUrl],
    name: 'bench-ready',
    namespace,
    wait_on_first_connect: false,
  });
  await bus.connect();
  try {
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    const ports = await freePorts(AGENT_NAMES.length);
    const portOf = Object.fromEntries(
      AGENT_NAMES.map((agent, i) => [agent, ports[i] as number]),
    ) as Record<AgentName, number>;
    const configDir = writeConfig(repoRoot, runDir, namespace, natsUrl, portOf);
    const cli = join(repoRoot, 'bin', 'opscrew.js');
    for (const agent of AGENT_NAMES) {
      const child = launch(cli, ['start', agent, '--config', configDir], runDir, agent);
      const started = nowMs();
      try {
        const ready = await readyAfter(portOf[agent], started, child);
        const cpuMs = child.pid === undefined ? null : cpuMsOf(child.pid);
        if (ready === null) tellLog(runDir, agent);
        // Its CPU until ready: what a start costs whatever else the host runs (the wall time is not).
        emitReady('agent_ready_ms', { agent, cpu_ms: cpuMs }, ready);
      } finally {
        await stopChild(child, STOP_GRACE_MS);
      }
    }
    const supervisor = launch(cli, ['start', 'all', '--config', configDir], runDir, 'all');
    const started = nowMs();
    try {
      const each = await Promise.all(
        AGENT_NAMES.map(
          async (agent) => [agent, await readyAfter(portOf[agent], started, supervisor)] as const,
        ),
      );
      if (each.some(([, ms]) => ms === null)) tellLog(runDir, 'all');
      const rssMiB = supervisor.pid === undefined ? null : residentMiB(supervisor.pid);
      const worst = Math.max(...each.map(([, ms]) => ms ?? Infinity));
      emitReady(
        'agent_ready_all_ms',
        {
          per_agent_ms: Object.fromEntries(
            each.map(([a, ms]) => [a, ms === null ? null : Math.round(ms)]),
          ),
        },
        Number.isFinite(worst) ? worst : null,
      );
      emit({
        bench: 'supervisor_rss_mib',
        value: rssMiB,
        unit: 'MiB',
        loadavg_1m: round(loadavg()[0] ?? 0),
        // No target in the issue: a figure to compare between runs.
        ok: rssMiB !== null,
      });
    } finally {
      await stopChild(supervisor, STOP_GRACE_MS);
    }
  } finally {
    await removeBusTopology(bus);
    await bus.close();
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** Why a start failed: the end of its log, on stderr (stdout is the JSON lines). */
function tellLog(runDir: string, label: string): void {
  const lines = readFileSync(join(runDir, `${label}.log`), 'utf8')
    .trimEnd()
    .split('\n');
  process.stderr.write(
    `bench agent-ready: ${label} never answered; its log ends:\n${lines.slice(-8).join('\n')}\n`,
  );
}

function emitReady(bench: string, extra: Record<string, unknown>, ms: number | null): void {
  emit({
    bench,
    ...extra,
    value: ms === null ? null : Math.round(ms),
    unit: 'ms',
    target: TARGET_READY_MS,
    loadavg_1m: round(loadavg()[0] ?? 0),
    ok: ms !== null && ms < TARGET_READY_MS,
  });
}

/**
 * The shipped config under an overlay (sibling keys beside `$include`, as `npm run demo` does):
 * this run's namespace, bus and ports. Everything else is what an operator runs.
 */
function writeConfig(
  repoRoot: string,
  runDir: string,
  namespace: string,
  natsUrl: string,
  portOf: Record<AgentName, number>,
): string {
  const dir = join(runDir, 'config');
  cpSync(join(repoRoot, 'config'), dir, { recursive: true });
  renameSync(join(dir, 'opscrew.json5'), join(dir, 'shipped.json5'));
  const overlay = {
    $include: './shipped.json5',
    env: { NATS_URL: natsUrl },
    bus: { namespace, servers: [natsUrl] },
    agents: Object.fromEntries(AGENT_NAMES.map((agent) => [agent, { port: portOf[agent] }])),
  };
  writeFileSync(join(dir, 'opscrew.json5'), `${JSON.stringify(overlay, null, 2)}\n`);
  return dir;
}

function launch(cli: string, args: string[], runDir: string, label: string): ChildProcess {
  const log = openSync(join(runDir, `${label}.log`), 'a');
  const env: Record<string, string | undefined> = { ...process.env };
  // The shipped default port would win over the overlay's per-agent ports.
  delete env.PORT;
  return spawn(process.execPath, [cli, ...args], {
    cwd: runDir,
    env,
    stdio: ['ignore', log, log],
  });
}

/** Milliseconds from `started` to the first 200 of /health; null when it gave up or the process died. */
async function readyAfter(
  port: number,
  started: number,
  child: ChildProcess,
): Promise<number | null> {
  while (nowMs() - started < GIVE_UP_MS) {
    if (child.exitCode !== null || child.signalCode !== null) return null;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, {
        signal: AbortSignal.timeout(1_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) return nowMs() - started;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

/** CPU time (user + system) a live process has used so far, in ms. */
function cpuMsOf(pid: number): number | null {
  const seconds = cpuSecondsOf(pid);
  return seconds === null ? null : Math.round(seconds * 1000);
}

function residentMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kib === undefined ? null : round(Number(kib) / 1024, 1);
  } catch {
    return null;
  }
}
