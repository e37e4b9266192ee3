import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorMessage } from '@opscrew/contracts';
import { PortInUseError } from '@opscrew/integrations';
import { LOCAL_NATS_DIR } from '../local-nats/local-credentials';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { CrewChiefStep } from './demo-crew-chief';
import { DemoEnvironment } from './demo-environment';
import { type DemoReport } from './demo-report';
import { scorecardStep } from './demo-scorecard';
import {
  DemoPortPlanError,
  type DemoPortOptions,
  type DemoPortPlan,
  resolveDemoPorts,
} from './demo-port.plan';
import { DemoStory, RESTART_CURABLE_FAULTS, type StepResult } from './demo-story';

/** The story's budget: `npm run demo` must finish in four and a half minutes on a 2-core box. */
const STORY_BUDGET_MS = 270_000;
/**
 * Scenario durations are minutes in config: the story runs them at these fractions (the
 * restart-curable faults carry their own, RESTART_CURABLE_FAULTS).
 */
const SCALE = { normal: 0.04, cart: 0.13, stress: 0.12 } as const;

export interface DemoOptions {
  readonly repoRoot: string;
  readonly bin: string;
  /** Where `report.json` and the run folders go (default `var/demo`). */
  readonly outDir?: string;
  /** Use the built-in load driver even when Locust is installed. */
  readonly builtinLoad?: boolean;
  /** Where it listens (`--agent-ports`, `--shop-ports`, …); the shipped config's ports by default. */
  readonly ports?: DemoPortOptions;
  /** `--local-nats`: the run's own nats-server with per-agent users (what `npm run demo` does). */
  readonly localNats?: boolean;
}

/**
 * `npm run demo`: the whole loop on this machine, all on loopback — NATS (the
 * caller made sure one listens), the demo shop under its process supervisor,
 * Locust when installed (else the built-in driver), the four agents — then the
 * story, a scorecard, `var/demo/report.json`, and exit 0 only if the crew did
 * what the story expects. Every process it started is stopped, also on Ctrl-C.
 */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<number> {
  let ports: DemoPortPlan;
  try {
    ports = await resolveDemoPorts(options.ports);
  } catch (error) {
    if (!(error instanceof DemoPortPlanError)) throw error;
    for (const problem of error.problems) io.err(`demo: ${problem}`);
    return EXIT_INVALID;
  }
  const began = Date.now();
  const clock = (): string => {
    const s = Math.floor((Date.now() - began) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const say = (line: string): void => io.out(`[${clock()}] ${line}`);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const reportDir = resolve(options.outDir ?? join(options.repoRoot, 'var', 'demo'));
  const runDir = join(reportDir, `run-${stamp}`);
  let environment: DemoEnvironment | null = null;
  const interrupt = new AbortController();
  const onSignal = (): void => {
    say('interrupted: stopping everything the demo started');
    // Every wait (a start under way, a story poll) ends at once; `finally` stops the processes.
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    mkdirSync(runDir, { recursive: true });
    say(`opscrew demo — run folder ${runDir}`);
    environment = await DemoEnvironment.start({
      repoRoot: options.repoRoot,
      bin: options.bin,
      runDir,
      say,
      signal: interrupt.signal,
      ports,
      ...(options.builtinLoad ? { builtinLoad: true } : {}),
      ...(options.localNats
        ? { localNats: { credentialsDir: join(options.repoRoot, LOCAL_NATS_DIR) } }
        : {}),
    });
    const observer = environment.observer;
    const story = new DemoStory(observer, environment.scenarios, say, interrupt.signal);
    const steps: StepResult[] = [];
    const chief = new CrewChiefStep(environment, say, interrupt.signal);
    const stepsInOrder: (() => Promise<StepResult | StepResult[]>)[] = [
      // The crew chief's part (a killed agent restarted, /status through chat) runs beside
      // normal traffic: nothing else happens then, and the story stays within its budget.
      () => Promise.all([story.normalTraffic(SCALE.normal), chief.run()]),
      () => story.cartFailure(SCALE.cart),
      ...RESTART_CURABLE_FAULTS.map((fault) => () => story.restartCurable(fault)),
      () => story.stressTest(SCALE.stress),
    ];
    for (const step of stepsInOrder) {
      if (interrupt.signal.aborted) break;
      const result = await step();
      steps.push(...(Array.isArray(result) ? result : [result]));
      const crashed = environment.children.exited();
      if (crashed.length > 0)
        throw new Error(`process(es) exited during the story: ${crashed.join('; ')}`);
    }

    const scorecard: unknown = await fetch(`${environment.agentUrl('demo-controller')}/scorecard`)
      .then((response) => response.json())
      .catch(() => null);
    steps.push(scorecardStep(scorecard, say));
    const elapsed = Date.now() - began;
    const failures = steps.flatMap((step) =>
      step.expectations.filter((e) => !e.ok).map((e) => `${step.name}: ${e.what} (${e.detail})`),
    );
    if (elapsed > STORY_BUDGET_MS)
      failures.push(
        `the demo took ${Math.round(elapsed / 1000)} s, over its ${STORY_BUDGET_MS / 1000} s budget`,
      );
    if (interrupt.signal.aborted) failures.push('interrupted');
    const report: DemoReport = {
      started_at: new Date(began).toISOString(),
      finished_at: new Date().toISOString(),
      duration_s: Math.round(elapsed / 100) / 10,
      load_driver: environment.loadDriver,
      // Where this run listened (each one free again once the demo has stopped).
      ports: {
        agents: ports.agents,
        shop: ports.shop,
        supervisor: ports.supervisor,
        ...(environment.loadDriver === 'locust' ? { locust: ports.locust } : {}),
      },
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
    // One line per busy port, each naming what wanted it and the option that moves it.
    const lines = error instanceof PortInUseError ? error.lines : [errorMessage(error)];
    for (const line of lines) io.err(`demo: ${line}`);
    return EXIT_FAILURE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await environment?.dispose();
    say('stopped every process the demo started');
  }
}
