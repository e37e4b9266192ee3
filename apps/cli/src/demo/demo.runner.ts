import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { busOptionsFromConfig } from '@opscrew/agent-core';
import { loadConfig, readRuntimeEnvironment } from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import { BuiltinLoadDriver, isLocustInstalled, LocustProcess } from '@opscrew/integrations';
import { NatsConnectionService, provisionAll, removeBusTopology } from '@opscrew/messaging';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from '../cli-io';
import { ChildProcesses } from './child-processes';
import { DemoObserver, poll } from './demo-observer';
import { writeDemoConfig } from './demo-overlay';
import { DemoStory, type ScenarioStarter, type StepResult } from './demo-story';

/** The story's budget: `npm run demo` must finish in three minutes on a 2-core box. */
const STORY_BUDGET_MS = 180_000;
/** Every agent and the shop answer /health within this on a cold start (node + Nest boot). */
const START_TIMEOUT_MS = 40_000;
/** Light background traffic through the frontend, so every service has a rate to measure. */
const BACKGROUND_USERS = 4;
const LOCUST_PORT = 8089;
/** Scenario durations are minutes in config: the story runs them at these fractions. */
const SCALE = { normal: 0.04, cart: 0.13, leak: 0.3, stress: 0.12 } as const;

const AGENTS: readonly AgentName[] = ['atlas', 'ops-monitor', 'jira-resolver', 'demo-controller'];

export interface DemoOptions {
  readonly repoRoot: string;
  readonly bin: string;
}

/**
 * `npm run demo`: the whole loop on this machine, all on loopback — NATS (the
 * caller made sure one listens), the demo shop under its process supervisor,
 * Locust when installed (else the built-in driver), the four agents — then the
 * story, a scorecard, `var/demo/report.json`, and exit 0 only if the crew did
 * what the story expects. Every process it started is stopped, also on Ctrl-C.
 */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  const began = Date.now();
  const clock = (): string => {
    const s = Math.floor((Date.now() - began) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const say = (line: string): void => io.out(`[${clock()}] ${line}`);
  const runtime = readRuntimeEnvironment();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const runDir = join(options.repoRoot, 'var', 'demo', `run-${stamp}`);
  const children = new ChildProcesses();
  let locust: LocustProcess | null = null;
  let background: BuiltinLoadDriver | null = null;
  let bus: NatsConnectionService | null = null;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    say('interrupted: stopping everything the demo started');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const busy = await busyPorts([
      3000, 3001, 3002, 3003, 7100, 7101, 7102, 7103, 7104, 7105, 7106, 7107, 7108, 7190,
    ]);
    if (busy.length > 0) {
      io.err(
        `demo: port(s) ${busy.join(', ')} already in use on 127.0.0.1 — stop what listens there (another opscrew?) and retry`,
      );
      return EXIT_FAILURE;
    }
    const useLocust = (await isLocustInstalled()) && !(await busyPorts([LOCUST_PORT])).length;
    say(`opscrew demo — run folder ${runDir}`);
    const configDir = writeDemoConfig({
      sourceConfig: join(options.repoRoot, 'config'),
      runDir,
      namespace: `demo${Date.now().toString(36)}`,
      load: useLocust
        ? { kind: 'locust', locustApiUrl: `http://127.0.0.1:${LOCUST_PORT}` }
        : { kind: 'builtin' },
    });
    const token = randomBytes(24).toString('hex');
    const env = { ...runtime.env, OPSCREW_SHOP_TOKEN: token, OPSCREW_LOG_LEVEL: 'info' };
    const loaded = loadConfig({ configDir, env });
    const config = loaded.config;
    bus = new NatsConnectionService({
      ...busOptionsFromConfig(config.bus, 'opscrew-demo'),
      wait_on_first_connect: false,
    });
    await bus.connect();
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });

    const logs = join(runDir, 'logs');
    mkdirSync(logs, { recursive: true });
    const node = (name: string, args: string[]): void => {
      children.start({
        name,
        command: process.execPath,
        args: [options.bin, ...args, '--config', configDir],
        env,
        cwd: options.repoRoot,
        logFile: join(logs, `${name}.log`),
      });
    };
    say('starting the demo shop (9 services under the process supervisor)');
    node('shop', ['shop']);
    const frontend = 'http://127.0.0.1:7100';
    if (
      !(await poll(
        async () => ((await fetch(`${frontend}/health`)).ok ? true : undefined),
        START_TIMEOUT_MS,
      ))
    ) {
      throw new Error(
        `the shop did not come up within ${START_TIMEOUT_MS / 1000} s (see ${join(logs, 'shop.log')})`,
      );
    }
    if (useLocust) {
      say(`starting Locust on 127.0.0.1:${LOCUST_PORT}`);
      locust = await LocustProcess.start({
        locustfile: join(options.repoRoot, 'deploy/locust/locustfile.py'),
        port: LOCUST_PORT,
        cwd: options.repoRoot,
      });
    } else {
      say('Locust is not installed: the built-in load driver stands in (same API)');
    }
    say('starting the crew: atlas, ops-monitor, jira-resolver, demo-controller');
    for (const agent of AGENTS) node(agent, ['start', agent]);
    for (const agent of AGENTS) {
      const port = config.agents.get(agent)?.port ?? 0;
      if (
        !(await poll(
          async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined),
          START_TIMEOUT_MS,
        ))
      ) {
        throw new Error(
          `${agent} did not become healthy within ${START_TIMEOUT_MS / 1000} s (see ${join(logs, `${agent}.log`)})`,
        );
      }
    }
    background = new BuiltinLoadDriver();
    await background.start({
      users: BACKGROUND_USERS,
      spawn_rate: BACKGROUND_USERS,
      host: frontend,
    });
    say(`crew up; background traffic: ${BACKGROUND_USERS} users on the frontend`);

    const controlUrl = config.integrations.runtime.process?.control_url ?? 'http://127.0.0.1:7190';
    const observer = new DemoObserver(
      `http://127.0.0.1:${config.agents.get('atlas')?.port ?? 3000}`,
      controlUrl,
      token,
      loaded.resolvePath(config.integrations.notifier.jsonl_path),
      bus,
    );
    const controller = `http://127.0.0.1:${config.agents.get('demo-controller')?.port ?? 3003}`;
    const scenarios: ScenarioStarter = {
      run: async (name, durationScale) => {
        const response = await fetch(`${controller}/scenarios/${name}/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
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
        )) === true,
    };
    const story = new DemoStory(observer, scenarios, say);
    const steps: StepResult[] = [];
    const stepsInOrder: (() => Promise<StepResult>)[] = [
      () => story.normalTraffic(SCALE.normal),
      () => story.cartFailure(SCALE.cart),
      () => story.memoryLeak(SCALE.leak),
      () => story.stressTest(SCALE.stress),
    ];
    for (const step of stepsInOrder) {
      if (interrupted) break;
      steps.push(await step());
      const crashed = children.exited();
      if (crashed.length > 0)
        throw new Error(`process(es) exited during the story: ${crashed.join('; ')}`);
    }

    const scorecard: unknown = await fetch(`${controller}/scorecard`)
      .then((response) => response.json())
      .catch(() => null);
    const elapsed = Date.now() - began;
    const failures = steps.flatMap((step) =>
      step.expectations.filter((e) => !e.ok).map((e) => `${step.name}: ${e.what} (${e.detail})`),
    );
    if (elapsed > STORY_BUDGET_MS)
      failures.push(
        `the demo took ${Math.round(elapsed / 1000)} s, over its ${STORY_BUDGET_MS / 1000} s budget`,
      );
    if (interrupted) failures.push('interrupted');
    const report = {
      started_at: new Date(began).toISOString(),
      finished_at: new Date().toISOString(),
      duration_s: Math.round(elapsed / 100) / 10,
      load_driver: useLocust ? 'locust' : 'builtin',
      steps,
      faults: steps.flatMap((step) => (step.fault ? [step.fault] : [])),
      incidents: await observer.incidents(),
      tickets: await observer.tickets(),
      restarts: await observer.restarts(),
      escalations: observer
        .notifications()
        .filter((line) => line.kind === 'escalation')
        .map((line) => ({ key: line.idempotency_key, at: line.at })),
      notifications: observer
        .notifications()
        .map((line) => ({ key: line.idempotency_key, kind: line.kind, at: line.at })),
      scorecard,
      ok: failures.length === 0,
      failures,
    };
    const reportDir = join(options.repoRoot, 'var', 'demo');
    writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(runDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    say('— scorecard —');
    for (const step of steps)
      for (const e of step.expectations)
        io.out(`  ${e.ok ? '✔' : '✘'} ${step.name}: ${e.what} — ${e.detail}`);
    for (const fault of report.faults) {
      io.out(
        `  ${fault.name} on ${fault.service}: detected in ${fault.detection_latency_s ?? '—'} s, ${fault.mttr_s !== null ? `resolved in ${fault.mttr_s} s` : fault.outcome}, ${fault.restarts} restart(s)`,
      );
    }
    say(
      `report: ${join(reportDir, 'report.json')} — ${failures.length === 0 ? 'the crew did what the story expects' : `${failures.length} expectation(s) failed`}`,
    );
    for (const failure of failures) io.err(`demo: ${failure}`);
    return failures.length === 0 ? EXIT_OK : EXIT_FAILURE;
  } catch (error) {
    io.err(`demo: ${(error as Error).message}`);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await background?.close().catch(() => undefined);
    await children.stopAll();
    await locust?.stop().catch(() => undefined);
    if (bus) {
      await removeBusTopology(bus).catch(() => undefined);
      await bus.close().catch(() => undefined);
    }
    say('stopped every process the demo started');
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
