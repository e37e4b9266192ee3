import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import { openEscalationKv } from '@opscrew/guardrails';
import { LocalTracker } from '@opscrew/integrations';
import { LocalProcessSupervisor } from '../apps/demo-shop/src';
import { KvFactory } from '@opscrew/messaging';
import {
  type CrewProcess,
  CrewTestEnvironment,
  freePort,
  getJson,
  readLines,
  waitFor,
} from './support/crew-harness';

interface NotificationLine {
  idempotency_key: string;
  kind: string;
  content?: string;
  allowed_mentions?: unknown;
}

const SCRIPT = resolve(__dirname, 'support/synthetic-service.process.js');

/**
 * jira-resolver end to end, on real processes: ops-monitor scrapes two
 * services that run under the process supervisor, jira-resolver restarts them
 * through its control API, proves (or disproves) the fix with metrics, and
 * escalates what a restart cannot cure. Timers are compressed (seconds, not minutes).
 */
describe('jira-resolver: remediation verified with metrics, escalation on time (e2e)', () => {
  const token = randomBytes(18).toString('hex');
  const scratch = mkdtempSync(join(tmpdir(), 'opscrew-jr-'));
  const flagFile = join(scratch, 'payment.flag');
  let supervisor: LocalProcessSupervisor;
  let env: CrewTestEnvironment;
  let resolver: CrewProcess;
  let ports: { cart: number; payment: number };
  let tracker: LocalTracker;

  const incidents = async (): Promise<IncidentRecord[]> =>
    (await getJson<IncidentRecord[]>(env.url('atlas', '/incidents'))).body;
  const notifications = (): NotificationLine[] =>
    readLines(join(env.fixture.projectDir, 'var/notifications.jsonl')).map(
      (line) => JSON.parse(line) as NotificationLine,
    );

  beforeAll(async () => {
    writeFileSync(flagFile, 'off');
    ports = { cart: await freePort(), payment: await freePort() };
    const control = await freePort();
    supervisor = new LocalProcessSupervisor({
      processes: [
        {
          name: 'cart',
          command: process.execPath,
          args: [SCRIPT],
          env: { PORT: String(ports.cart) },
          cwd: resolve(__dirname, '..'),
        },
        {
          name: 'payment',
          command: process.execPath,
          args: [SCRIPT],
          env: { PORT: String(ports.payment), FLAG_FILE: flagFile },
          cwd: resolve(__dirname, '..'),
        },
      ],
      control: { host: '127.0.0.1', port: control, token },
    });
    await supervisor.start();
    env = await CrewTestEnvironment.create('e2e-jira-resolver', {
      cycleIntervalS: 1,
      scrapeTargets: {
        cart: `http://127.0.0.1:${ports.cart}/metrics`,
        payment: `http://127.0.0.1:${ports.payment}/metrics`,
      },
      processControlUrl: `http://127.0.0.1:${control}`,
      extra: {
        thresholds: {
          verification: {
            wait_after_restart_s: 2,
            check_interval_s: 1,
            success_criteria: { consecutive_checks: 2 },
            failure_budget_checks: 4,
          },
          escalation: {
            levels: {
              L1: { timeout_minutes: 1 },
              L2: { timeout_minutes: 0.1 },
              L3: { timeout_minutes: 0.1 },
            },
          },
        },
      },
    });
    const agentEnv = { OPSCREW_SHOP_TOKEN: token };
    env.spawn('atlas', ['start', 'atlas'], agentEnv);
    env.spawn('ops-monitor', ['start', 'ops-monitor'], agentEnv);
    resolver = env.spawn('jira-resolver', ['start', 'jira-resolver'], agentEnv);
    const kv = new KvFactory(env.bus);
    tracker = new LocalTracker(await kv.raw(KV_BUCKETS.tickets), {
      listKeys: () => kv.listKeys(KV_BUCKETS.tickets),
    });
    for (const agent of ['atlas', 'ops-monitor', 'jira-resolver'] as const) {
      await waitFor(
        `${agent} healthy`,
        async () => (await getJson(env.url(agent, '/health'))).status === 200,
        30_000,
      );
    }
  });

  afterAll(async () => {
    await env?.dispose();
    await supervisor?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('restarts a restart-curable fault exactly once — even with jira-resolver killed mid-run — and proves the fix', async () => {
    await fetch(`http://127.0.0.1:${ports.cart}/fault/leak`, { method: 'POST' });
    await waitFor(
      'the restart',
      async () => (await supervisor.inspect('cart'))?.restart_count === 1,
      30_000,
      50,
    );

    // kill -9 during verification; a new jira-resolver must resume, not restart again.
    resolver.child.kill('SIGKILL');
    await resolver.exited();
    resolver = env.spawn('jira-resolver-2', ['start', 'jira-resolver'], {
      OPSCREW_SHOP_TOKEN: token,
    });

    const incident = await waitFor(
      'the cart incident resolved',
      async () =>
        (await incidents()).find((row) => row.service === 'cart' && row.phase === 'resolved'),
      60_000,
    );
    expect(incident.history.map((step) => step.phase)).toEqual([
      'detected',
      'triaged',
      'actioned',
      'verified',
      'resolved',
    ]);
    expect((await supervisor.inspect('cart'))?.restart_count).toBe(1);
    const ticket = (await tracker.listByStatus('done', 'auto-detected')).find(
      (entry) => entry.incident_id === incident.incident_id,
    );
    expect(ticket).toBeDefined();
    expect(resolver.logs).toMatch(/remediation succeeded/);
  });

  it('escalates a fault a restart cannot cure (a flag) through L2 and L3 on time, one mention per level', async () => {
    writeFileSync(flagFile, 'fail');
    const escalated = await waitFor(
      'the payment incident escalated',
      async () =>
        (await incidents()).find((row) => row.service === 'payment' && row.phase === 'escalated'),
      60_000,
    );
    expect((await supervisor.inspect('payment'))?.restart_count).toBe(1);
    const pages = (): NotificationLine[] =>
      notifications().filter((line) => line.kind === 'escalation');
    await waitFor(
      'the L3 page',
      () => pages().some((line) => line.idempotency_key.endsWith(':L3')),
      30_000,
    );
    // L3 is entered when L2's timeout (6 s) has passed, never before: read from the chain's own
    // record (the times it wrote), not from this machine's clock.
    const chain = await (await openEscalationKv(new KvFactory(env.bus))).get(escalated.incident_id);
    const entered = (level: string): number =>
      Date.parse(
        chain?.value.history.find((step) => step.event === 'escalated' && step.level === level)
          ?.at ?? 'missing',
      );
    expect(entered('L3') - entered('L2')).toBeGreaterThanOrEqual(6_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(pages().map((line) => line.idempotency_key)).toEqual([
      `escalation:${escalated.incident_id}:L2`,
      `escalation:${escalated.incident_id}:L3`,
    ]);
    const ticket = (await tracker.listByStatus('escalated', 'auto-detected')).find(
      (entry) => entry.incident_id === escalated.incident_id,
    );
    expect(ticket).toBeDefined();
    writeFileSync(flagFile, 'off');
  });

  it('a recurrence of the resolved cart incident reopens it, its ticket and its chain: paged again while the cooldown holds the restart', async () => {
    const first = (await incidents()).find((row) => row.service === 'cart');
    if (first === undefined) throw new Error('the first test left no cart incident');
    await fetch(`http://127.0.0.1:${ports.cart}/fault/leak`, { method: 'POST' });
    // The same fault within the dedup window: the resolved incident reopens, no new one.
    await waitFor(
      'the cart incident reopened',
      async () =>
        (await incidents()).some(
          (row) =>
            row.incident_id === first.incident_id &&
            row.history.some((step) => step.phase === 'reopened'),
        ),
      90_000,
    );
    // The restart waits out the cooldown (600 s): the new term's L1 deadline (1 min) pages.
    const page = `escalation:${first.incident_id}:L2:t2`;
    await waitFor(
      'the recurrence paged at L2',
      () => notifications().some((line) => line.idempotency_key === page),
      150_000,
    );
    const escalated = await waitFor(
      'the reopened incident escalated in the ledger',
      async () =>
        (await incidents()).find(
          (row) => row.incident_id === first.incident_id && row.phase === 'escalated',
        ),
      30_000,
    );
    expect(escalated.history.map((step) => step.phase)).toEqual(
      expect.arrayContaining(['resolved', 'reopened', 'triaged', 'escalated']),
    );
    expect((await incidents()).filter((row) => row.service === 'cart')).toHaveLength(1);
    // Not restarted within the cooldown (the leak stays: the suite ends here), and the ticket followed: Done → To Do → … → Escalated.
    expect((await supervisor.inspect('cart'))?.restart_count).toBe(1);
    const ticket = await waitFor(
      'the ticket escalated',
      async () =>
        (await tracker.listByStatus('escalated', 'auto-detected')).find(
          (entry) => entry.incident_id === first.incident_id,
        ),
      30_000,
    );
    const comments = await tracker.comments(ticket.key);
    expect(
      comments.some((comment) => comment.text.startsWith('Reopened: the incident recurred')),
    ).toBe(true);
  });
});
