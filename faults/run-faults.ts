import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { type Experiment, type ExperimentContext, ExperimentSkipped } from './experiment';
import { agentKillExperiment } from './experiments/agent-kill.experiment';
import { lockHolderCrashExperiment } from './experiments/lock-holder-crash.experiment';
import { metricsOutageExperiment } from './experiments/metrics-outage.experiment';
import { natsKillExperiment } from './experiments/nats-kill.experiment';
import { saasFaultsExperiment } from './experiments/saas-faults.experiment';
import { type ExperimentReport, reportOf, summaryLine, writeReport } from './fault-report';
import { FaultWorld, WORLD_NATS_NODES, WORLD_REPLICAS } from './fault-world';

const EXPERIMENTS: readonly Experiment[] = [
  agentKillExperiment,
  natsKillExperiment,
  lockHolderCrashExperiment,
  saasFaultsExperiment,
  metricsOutageExperiment,
];

/** No experiment runs longer than this (short mode: a quarter): a hung one is an error, not a wait. */
const EXPERIMENT_BOUND_MS = 40 * 60_000;

const USAGE = `usage: npm run faults -- --out DIR [--short] [--only a,b] [--seed N] [--replicas N] [--nats-nodes N]
  --out DIR   where faults.json and the experiments' logs go
  --short     a few rounds of each (CI); exit 1 on any loss or duplicate
  --replicas  processes per agent (default ${WORLD_REPLICAS}; 1..3)
  --nats-nodes  NATS servers: ${WORLD_NATS_NODES} (a cluster, every stream at ${WORLD_NATS_NODES} copies; default) or 1
  --only      experiments by name: ${EXPERIMENTS.map((e) => e.name).join(', ')}
  --seed      the draws (which agent is killed, when): a run repeats with the same seed`;

/** mulberry32: seeded draws in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `npm run faults -- --out DIR [--short]`: fault experiments against the real crew on loopback
 * (docs/faults.md). One world per experiment, disposed by PID whatever happens — an error, the
 * bound, SIGINT. Exit 1 when an experiment lost or duplicated anything, failed a check or broke;
 * skipped ones are named, never counted as passed (nor as failed).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      short: { type: 'boolean', default: false },
      only: { type: 'string' },
      seed: { type: 'string' },
      replicas: { type: 'string' },
      'nats-nodes': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || values.out === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  // The bus clients' connection lines (every NATS experiment has many) would bury the summary.
  Logger.overrideLogger(['error']);
  const outDir = resolve(values.out);
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = (only ?? []).filter((name) => !EXPERIMENTS.some((e) => e.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`--only: unknown experiment ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const replicas = values.replicas === undefined ? WORLD_REPLICAS : Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 3) {
    process.stderr.write(`--replicas: 1, 2 or 3, got "${values.replicas}"\n${USAGE}\n`);
    return 2;
  }
  const natsNodes =
    values['nats-nodes'] === undefined ? WORLD_NATS_NODES : Number(values['nats-nodes']);
  if (natsNodes !== 1 && natsNodes !== WORLD_NATS_NODES) {
    process.stderr.write(
      `--nats-nodes: 1 or ${WORLD_NATS_NODES}, got "${values['nats-nodes']}"\n${USAGE}\n`,
    );
    return 2;
  }
  const seed = values.seed === undefined ? Date.now() % 100_000 : Number(values.seed);
  const random = seeded(seed);
  const repoRoot = resolve(__dirname, '..', '..');
  const mode = values.short ? 'short' : 'full';
  const interrupt = new AbortController();
  const worlds = new Set<FaultWorld>();
  const onSignal = (): void => {
    process.stderr.write('faults: interrupted, stopping what was started\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  mkdirSync(outDir, { recursive: true });
  process.stdout.write(
    `faults: ${mode} run, seed ${seed}, ${replicas} replica(s) per agent, ${natsNodes} NATS node(s), out ${outDir}\n`,
  );

  const reports: ExperimentReport[] = [];
  for (const experiment of EXPERIMENTS) {
    if (only && !only.includes(experiment.name)) continue;
    if (interrupt.signal.aborted) break;
    const started = Date.now();
    const base = {
      experiment: experiment.name,
      title: experiment.title,
      mode,
      world: { replicas, nats_nodes: natsNodes },
      started_at: new Date(started).toISOString(),
    } as const;
    const bound = new AbortController();
    const timer = setTimeout(
      () => bound.abort(),
      values.short ? EXPERIMENT_BOUND_MS / 4 : EXPERIMENT_BOUND_MS,
    );
    const signal = AbortSignal.any([interrupt.signal, bound.signal]);
    const say = (line: string): void => {
      process.stdout.write(`[${experiment.name}] ${line}\n`);
    };
    let worldIndex = 0;
    const context: ExperimentContext = {
      short: values.short,
      say,
      signal,
      random,
      world: async (options = {}) => {
        worldIndex += 1;
        const world = await FaultWorld.start({
          replicas,
          natsNodes,
          ...options,
          repoRoot,
          runDir: join(outDir, `${experiment.name}-${worldIndex}`),
          say: (line) => say(`  ${line}`),
          signal,
        });
        worlds.add(world);
        return world;
      },
    };
    let report: ExperimentReport;
    say(experiment.title);
    try {
      const outcome = await experiment.run(context);
      report = reportOf({ ...base, duration_s: seconds(started) }, outcome);
    } catch (error) {
      const why = bound.signal.aborted
        ? `over its bound of ${(values.short ? EXPERIMENT_BOUND_MS / 4 : EXPERIMENT_BOUND_MS) / 60_000} min`
        : errorMessage(error);
      report =
        error instanceof ExperimentSkipped
          ? { ...base, status: 'skipped', reason: error.message, duration_s: seconds(started) }
          : { ...base, status: 'error', reason: why, duration_s: seconds(started) };
    } finally {
      clearTimeout(timer);
      for (const world of worlds) await world.dispose();
      worlds.clear();
    }
    reports.push(report);
    writeReport(outDir, reports);
    process.stdout.write(`${summaryLine(report)}\n`);
  }
  const file = writeReport(outDir, reports);
  process.stdout.write(`faults: wrote ${file}\n`);
  if (interrupt.signal.aborted) return 130;
  return reports.every((report) => report.status === 'passed' || report.status === 'skipped')
    ? 0
    : 1;
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 100) / 10;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `faults: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
