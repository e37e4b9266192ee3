import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IncidentRecord, KV_BUCKETS, LeaseRecord } from '@opscrew/contracts';
import { KvFactory } from '@opscrew/messaging';
import { DemoEnvironment } from '../apps/cli/src/demo/demo-environment';
import { type StepResult } from '../apps/cli/src/demo/demo-story';
import { assertBuilt, OPSCREW_BIN, REPO_ROOT, runCli, waitFor } from './support/crew-harness';

interface DemoReport {
  duration_s: number;
  load_driver: string;
  ok: boolean;
  failures: string[];
  steps: StepResult[];
  faults: {
    name: string;
    service: string;
    incident_id: string | null;
    detection_latency_s: number | null;
    mttr_s: number | null;
    restarts: number;
  }[];
  incidents: IncidentRecord[];
  tickets: { key: string; status: string; incident_id: string }[];
  scorecard: {
    aggregate: {
      runs: number;
      restarts_during_lock: number;
      false_positives: number;
      missed: number;
    };
  } | null;
}

/** The phases an incident went through, in the order the ledger recorded them. */
const phases = (incident: IncidentRecord | undefined): string[] =>
  (incident?.history ?? []).flatMap((step) => (step.phase ? [step.phase] : []));

/** Whether `expected` appears in `actual` in this order (other phases may sit between). */
const inOrder = (actual: readonly string[], expected: readonly string[]): boolean => {
  let at = 0;
  for (const phase of actual) if (phase === expected[at]) at++;
  return at === expected.length;
};

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `npm run demo` end to end: the real CLI, the shop, the four agents and NATS,
 * with the story's assertions re-checked from the report it writes, and the
 * lock's safety net when demo-controller dies mid-stress.
 */
describe('the demo story (e2e)', () => {
  const out = mkdtempSync(join(tmpdir(), 'opscrew-demo-e2e-'));

  beforeAll(() => assertBuilt());
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs the whole story, exits 0, and reports every phase transition and the scorecard', async () => {
    const child = spawn(process.execPath, [OPSCREW_BIN, 'demo', '--out', out], {
      cwd: REPO_ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`opscrew demo exited ${code}:\n${output}`);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as DemoReport;
    expect(report).toMatchObject({ ok: true, failures: [] });
    expect(report.duration_s).toBeLessThanOrEqual(180);
    expect(report.steps.map((step) => step.name)).toEqual([
      'normal traffic',
      'cartFailure flag',
      'memory leak in recommendation',
      'stress test',
    ]);
    for (const step of report.steps)
      for (const expectation of step.expectations)
        expect({ step: step.name, ...expectation }).toMatchObject({ ok: true });

    const [cart, leak] = report.faults;
    const incident = (id: string | null | undefined) =>
      report.incidents.find((entry) => entry.incident_id === id);
    // cartFailure: a restart cannot cure a flag → tried once, then escalated.
    expect(cart).toMatchObject({ name: 'cartFailure', service: 'cart', restarts: 1, mttr_s: null });
    expect(phases(incident(cart?.incident_id))).toEqual(
      expect.arrayContaining(['detected', 'triaged', 'actioned', 'escalated']),
    );
    expect(
      inOrder(phases(incident(cart?.incident_id)), [
        'detected',
        'triaged',
        'actioned',
        'escalated',
      ]),
    ).toBe(true);
    // The leak: restarted, proven with metrics, resolved, its ticket Done.
    expect(leak).toMatchObject({ name: 'memory_leak', service: 'recommendation', restarts: 1 });
    expect(leak?.mttr_s).toBeGreaterThan(0);
    expect(leak?.detection_latency_s).toBeGreaterThan(0);
    expect(
      inOrder(phases(incident(leak?.incident_id)), [
        'detected',
        'triaged',
        'actioned',
        'verified',
        'resolved',
      ]),
    ).toBe(true);
    expect(report.tickets.find((t) => t.incident_id === leak?.incident_id)?.status).toBe('done');
    expect(report.tickets.find((t) => t.incident_id === cart?.incident_id)?.status).toBe(
      'escalated',
    );
    // demo-controller scored the runs against their ground truth.
    // normal, the flag and the leak are scored by now (the stress run settles after the story).
    expect(report.scorecard?.aggregate.runs).toBeGreaterThanOrEqual(3);
    expect(report.scorecard?.aggregate).toMatchObject({
      restarts_during_lock: 0,
      false_positives: 0,
      missed: 0,
    });
    // Everything it started is gone: the shop's and the agents' ports are free again.
    for (const port of [3000, 3001, 3002, 3003, 7100, 7190])
      expect(await portFree(port)).toBe(true);
  }, 240_000);

  it('frees the locks of a demo-controller killed mid-stress: a deferred remediation resumes', async () => {
    const environment = await DemoEnvironment.start({
      repoRoot: REPO_ROOT,
      bin: OPSCREW_BIN,
      runDir: join(out, 'killed-mid-stress'),
      say: () => undefined,
      builtinLoad: true,
      lockLeaseS: 6,
    });
    try {
      const stress = await environment.scenarios.run('stress', 0.5);
      expect(stress.locked).toContain('ad');
      const locks = await new KvFactory(environment.bus).open(KV_BUCKETS.locks, {
        class: LeaseRecord,
      });
      const held = await waitFor('the stress lock on ad', async () => {
        const entry = await locks.get('service.ad');
        return entry && entry.value.holder.startsWith('demo-controller') ? entry.value : undefined;
      });

      // A real incident on a locked service: jira-resolver must wait for the lock, not act.
      const injected = runCli(
        [
          'incident',
          'inject',
          '--service',
          'ad',
          '--symptom',
          'high_error_rate',
          '--value',
          '0.5',
          '--config',
          environment.configDir,
        ],
        // The run's config reads its REST token from the environment, as the agents do.
        { OPSCREW_API_TOKEN: environment.apiToken },
      );
      expect(injected.stderr).toBe('');
      expect(injected.code).toBe(0);
      const incidentId = /INC-\d{8}-\d{3,}/.exec(injected.stdout)?.[0];
      expect(incidentId).toBeDefined();
      const byId = async (): Promise<IncidentRecord | undefined> =>
        (await environment.observer.incidents()).find((i) => i.incident_id === incidentId);
      await waitFor(
        'the remediation to defer to the stress lock',
        async () =>
          (await byId())?.history.some((step) => step.note?.startsWith('remediation deferred')),
        20_000,
      );
      const restartsBefore = (await environment.observer.restarts()).ad ?? 0;

      // demo-controller dies without releasing anything: only the lease's expiry frees ad.
      const killedAt = Date.now();
      environment.children.get('demo-controller')?.kill('SIGKILL');

      const actioned = await waitFor(
        'the remediation to resume once the lock lapsed',
        async () => (await byId())?.history.find((step) => step.phase === 'actioned'),
        45_000,
      );
      expect(Date.parse(actioned.at)).toBeGreaterThanOrEqual(Date.parse(held.expires_at) - 500);
      expect(Date.parse(actioned.at)).toBeGreaterThan(killedAt);
      expect((await environment.observer.restarts()).ad).toBe(restartsBefore + 1);
      const resolved = await waitFor(
        'the restart to be verified with metrics',
        async () => ((await byId())?.phase === 'resolved' ? await byId() : undefined),
        45_000,
      );
      expect(
        inOrder(phases(resolved), ['detected', 'triaged', 'actioned', 'verified', 'resolved']),
      ).toBe(true);
      // No lock of the dead controller survives its lease.
      for (const item of await locks.values())
        if (item.value.holder.startsWith('demo-controller'))
          expect(Date.parse(item.value.expires_at)).toBeLessThanOrEqual(Date.now());
    } finally {
      await environment.dispose();
    }
  }, 150_000);
});
