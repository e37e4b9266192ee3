import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IncidentRecord } from '@opscrew/contracts';
import { DEMO_COMPRESSED_THRESHOLDS } from '../apps/cli/src/demo/demo-overlay';
import { DiscordContractServer, JiraContractServer } from '@opscrew/integrations/testing';
import { generateNatsPassword } from '@opscrew/messaging';
import {
  assertDockerCompose,
  ComposeStack,
  composeUnavailable,
  dockerSocketGid,
  portTaken,
  publishWithRawNats,
} from './support/compose-stack';
import { getJson, REPO_ROOT, waitFor } from './support/crew-harness';

/**
 * The used-by paths, checked against the running containers: the images built from this
 * checkout (deploy/images/build.sh: stand-in bases from Debian and the npm registry when no
 * registry answers), the project's docker-compose files on the host network, Jira and Discord
 * as contract servers on loopback. Users deploy each service as a container, publish NATS
 * events to report incidents, query each agent's /health and read Discord reports: so does
 * this suite.
 */
const UNAVAILABLE = composeUnavailable();
const describeCompose = UNAVAILABLE ? describe.skip : describe;
if (UNAVAILABLE) {
  // Said once, loudly: a skipped suite must say why.
  process.stderr.write(`compose.e2e-spec: SKIPPED: ${UNAVAILABLE}\n`);
}

/** A cold image build (stand-in bases, npm ci, tsc) takes minutes on a loaded 2-core machine. */
const BUILD_TIMEOUT_MS = 30 * 60_000;
const UP_TIMEOUT_MS = 5 * 60_000;
const AGENT_PORTS = {
  atlas: 3000,
  'ops-monitor': 3001,
  'jira-resolver': 3002,
  'demo-controller': 3003,
};
/** deploy/compose/host-network.yml's ports: the stack's NATS stays off the host's 4222. */
const NATS_PORT = 14222;
const FIXED_PORTS = [
  ...Object.values(AGENT_PORTS),
  7100,
  7101,
  7102,
  7103,
  7104,
  7105,
  7106,
  7107,
  7108,
  8089,
  NATS_PORT,
  18222,
];

function runBuild(logFile: string): Promise<void> {
  const log = createWriteStream(logFile);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(REPO_ROOT, 'deploy/images/build.sh')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      log.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-3000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code) => {
      log.end();
      if (code === 0) resolve();
      else reject(new Error(`deploy/images/build.sh exited ${code} (log ${logFile}):\n${tail}`));
    });
  });
}

/**
 * The test's entry files, mounted beside the image's: each agent's own entry (its secrets only)
 * with the timers compressed as in `npm run demo` (the same thresholds), the daily report every
 * 20 s, and — for the two agents that use them — Jira and Discord through the production files,
 * whose ${VAR}s docker-compose.yml passes through from the environment.
 */
function entryFile(agent: string): string {
  const production = './shipped/project/integrations/production';
  const usesSaas = agent === 'ops-monitor' || agent === 'jira-resolver';
  const timing = { heartbeat_interval_s: 2, max_age_s: 10 };
  const overlay = {
    $include: `./${agent}.json5`,
    agents: {
      [agent]: {
        ...timing,
        ...(agent === 'ops-monitor'
          ? {
              monitor: { cycle_interval_s: 1 },
              schedules: { 'ops-monitor-daily': { cron: '*/20 * * * * *' } },
            }
          : {}),
        ...(agent === 'demo-controller' ? { controller: { learning: { settle_s: 10 } } } : {}),
      },
    },
    ...(usesSaas
      ? {
          integrations: {
            tracker: { kind: 'jira' },
            jira: { $include: `${production}/jira.json5` },
            notifier: { kind: 'discord' },
            discord: { $include: `${production}/discord.json5` },
          },
        }
      : {}),
    thresholds: DEMO_COMPRESSED_THRESHOLDS,
  };
  return `// compose.e2e-spec: ${agent}'s entry with compressed timers and the contract servers.\n${JSON.stringify(overlay, null, 2)}\n`;
}

describeCompose('the crew as containers (docker-compose, host network)', () => {
  const project = `opscrew-e2e-${randomBytes(3).toString('hex')}`;
  const workDir = mkdtempSync(join(tmpdir(), 'opscrew-compose-e2e-'));
  const logDir = join(REPO_ROOT, 'var', 'compose-e2e', project);
  const jiraToken = `jira-${randomBytes(12).toString('hex')}`;
  const jira = new JiraContractServer({ email: 'sre-bot@example.com', apiToken: jiraToken });
  const discord = new DiscordContractServer();
  const secrets = {
    NATS_PASSWORD_ATLAS: generateNatsPassword(),
    NATS_PASSWORD_OPS_MONITOR: generateNatsPassword(),
    NATS_PASSWORD_JIRA_RESOLVER: generateNatsPassword(),
    NATS_PASSWORD_DEMO_CONTROLLER: generateNatsPassword(),
    NATS_PASSWORD_CLI: generateNatsPassword(),
    NATS_PASSWORD_REPORTER: generateNatsPassword(),
    NATS_PASSWORD_ADMIN: generateNatsPassword(),
    OPSCREW_API_TOKEN: randomBytes(24).toString('hex'),
    OPSCREW_SHOP_TOKEN: randomBytes(24).toString('hex'),
  };
  let stack: ComposeStack;
  let up = false;

  beforeAll(async () => {
    mkdirSync(logDir, { recursive: true });
    assertDockerCompose();
    const busy = [];
    for (const port of FIXED_PORTS) if (await portTaken(port)) busy.push(port);
    if (busy.length > 0) {
      throw new Error(
        `ports ${busy.join(', ')} on 127.0.0.1 are in use; the host-network stack needs them (stop what holds them)`,
      );
    }
    await runBuild(join(logDir, 'build.log'));
    await jira.start();
    await discord.start();

    const agents = Object.keys(AGENT_PORTS);
    const services: Record<string, unknown> = {};
    for (const agent of agents) {
      const file = join(workDir, `e2e-${agent}.json5`);
      writeFileSync(file, entryFile(agent));
      services[agent] = {
        environment: { OPSCREW_CONFIG: `/app/compose/e2e-${agent}.json5` },
        volumes: [`${file}:/app/compose/e2e-${agent}.json5:ro`],
      };
    }
    const override = join(workDir, 'e2e.yml');
    writeFileSync(override, JSON.stringify({ services }, null, 2));
    stack = new ComposeStack({
      project,
      extraFiles: [override],
      logDir,
      env: {
        ...secrets,
        DOCKER_GID: dockerSocketGid(),
        JIRA_BASE_URL: jira.baseUrl,
        JIRA_EMAIL: 'sre-bot@example.com',
        JIRA_API_TOKEN: jiraToken,
        DISCORD_WEBHOOK_URL: `${discord.origin}/api/v10/webhooks/${discord.webhookId}/${discord.webhookToken}`,
        DISCORD_ONCALL_ROLE_ID: '111111111111111111',
        DISCORD_LEAD_ROLE_ID: '222222222222222222',
      },
    });
    up = true;
    await stack.up(UP_TIMEOUT_MS);
  }, BUILD_TIMEOUT_MS + UP_TIMEOUT_MS);

  afterAll(async () => {
    if (up) {
      await stack.logs(60_000).catch(() => undefined);
      await stack.down(120_000).catch((error: Error) => process.stderr.write(`${error.message}\n`));
    }
    await jira.stop();
    await discord.stop();
    rmSync(workDir, { recursive: true, force: true });
  }, 240_000);

  it('starts every container healthy, and every agent answers /health with 200', async () => {
    const services = [
      ...Object.keys(AGENT_PORTS),
      'nats',
      'locust',
      'frontend',
      'ad',
      'cart',
      'checkout',
      'currency',
      'payment',
      'product-catalog',
      'recommendation',
      'shipping',
    ];
    for (const service of services) {
      const id = stack.containerId(service);
      await waitFor(
        `${service} healthy`,
        () => {
          const state = stack.inspect(id);
          if (state.Health?.Status === 'unhealthy') throw new Error(`${service} is unhealthy`);
          return state.Health?.Status === 'healthy';
        },
        180_000,
        1_000,
      );
    }
    for (const [agent, port] of Object.entries(AGENT_PORTS)) {
      const health = await getJson<{ status: string }>(`http://127.0.0.1:${port}/health`);
      expect([agent, health.status]).toEqual([agent, 200]);
    }
  }, 240_000);

  it('takes an incident.reported published by a plain NATS client: ledger, ticket and notification', async () => {
    const dedupKey = `probe-${randomBytes(4).toString('hex')}`;
    const report = (n: number): string =>
      JSON.stringify({
        schema: 1,
        id: `${dedupKey}-${n}`,
        at: new Date().toISOString(),
        source: 'external',
        reporter: 'billing-probe',
        service: 'currency',
        symptom: 'high_latency',
        value: 6500,
        dedup_key: dedupKey,
        summary: 'p99 of currency conversion above 6 s from the billing probe',
      });
    // Three reports of the same thing, from outside the project's code (CONNECT + PUB on a socket).
    for (let n = 1; n <= 3; n++) {
      await publishWithRawNats({
        port: NATS_PORT,
        user: 'reporter',
        password: secrets.NATS_PASSWORD_REPORTER,
        subject: 'incident.reported',
        payload: report(n),
      });
    }
    const incident = await waitFor(
      'the reported incident in the ledger with count 3',
      async () => {
        const list = await getJson<IncidentRecord[]>(
          `http://127.0.0.1:${AGENT_PORTS.atlas}/incidents?dedup_key=${dedupKey}`,
        );
        const found = list.body.filter(
          (i) => i.service === 'currency' && i.symptom === 'high_latency',
        );
        return found.length === 1 && found[0]?.count === 3 ? found[0] : undefined;
      },
      90_000,
      1_000,
    );
    expect(incident.detected_by).toBe('ops-monitor');
    const tickets = await waitFor(
      'one Jira ticket for it',
      () => {
        const found = [...jira.issues.values()].filter((issue) =>
          issue.summary.includes('currency'),
        );
        return found.length > 0 ? found : undefined;
      },
      60_000,
      1_000,
    );
    expect(tickets).toHaveLength(1);
    await waitFor(
      'a Discord alert for it',
      () => discord.messages.some((m) => JSON.stringify(m.body).includes(incident.incident_id)),
      60_000,
      1_000,
    );
  }, 240_000);

  it('restarts a leaking shop container through the Docker API, proves it with metrics and closes the ticket', async () => {
    const id = stack.containerId('recommendation');
    const startedBefore = stack.inspect(id).StartedAt;
    const run = await fetch(
      `http://127.0.0.1:${AGENT_PORTS['demo-controller']}/scenarios/recommendation_memory_leak/run`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${secrets.OPSCREW_API_TOKEN}`,
        },
        body: '{}',
      },
    );
    expect(run.status).toBe(202);
    const resolved = await waitFor(
      'the leak incident resolved after verification',
      async () => {
        const list = await getJson<IncidentRecord[]>(
          `http://127.0.0.1:${AGENT_PORTS.atlas}/incidents`,
        );
        return list.body.find((i) => i.service === 'recommendation' && i.phase === 'resolved');
      },
      300_000,
      2_000,
    );
    expect(resolved.history.map((h) => h.phase)).toEqual(
      expect.arrayContaining(['detected', 'resolved']),
    );
    // Restarted for real: the same container, started again.
    expect(stack.inspect(id).StartedAt).not.toBe(startedBefore);
    const ticket = await waitFor(
      'its Jira ticket Done',
      () =>
        [...jira.issues.values()].find(
          (issue) => issue.summary.includes('recommendation') && issue.status.name === 'Done',
        ),
      60_000,
      1_000,
    );
    expect(ticket.comments.length).toBeGreaterThan(0);
    await fetch(`http://127.0.0.1:${AGENT_PORTS['demo-controller']}/scenarios/abort`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.OPSCREW_API_TOKEN}` },
    });
  }, 420_000);

  it('sends the daily report to Discord', async () => {
    const message = await waitFor(
      'the daily report on the Discord contract server',
      () =>
        discord.messages.find((m) =>
          (m.body.embeds ?? []).some((e) => (e.title ?? '').includes('daily report')),
        ),
      90_000,
      1_000,
    );
    expect(JSON.stringify(message.body)).toContain('completeness');
  }, 120_000);
});
