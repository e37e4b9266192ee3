import { KV_BUCKETS, LeaseRecord } from '@opscrew/contracts';
import { JsonlAuditLog, readAuditTail } from '@opscrew/guardrails';
import {
  freePort,
  ProcessRuntimeDriver,
  type RuntimeCaller,
  RuntimeDriverError,
  RuntimeRefusedError,
  SandboxedRuntime,
} from '@opscrew/integrations';
import { KvFactory, LeaseService, type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { RuntimePolicy } from '@opscrew/sandbox';
import { jestTimeout } from '@opscrew/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProcessSupervisor } from './local-process.supervisor';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const NODE = process.execPath;

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/** A tiny HTTP service: prints on both streams, answers its health URL, exits on SIGTERM. */
const SERVICE = `
  const name = process.env.NAME;
  require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => {
    console.log(name + ' listening pid=' + process.pid);
    console.error(name + ' warn: cache cold');
  });
  process.on('SIGTERM', () => { console.log(name + ' stopping'); process.exit(0); });
`;

describe('process runtime through the sandbox (real supervisor, real leases)', () => {
  const namespace = testNamespace();
  const token = randomBytes(24).toString('hex');
  const auditDir = mkdtempSync(join(tmpdir(), 'opscrew-process-audit-'));
  const auditPath = join(auditDir, 'audit.jsonl');
  const caller: RuntimeCaller = {
    agent: 'jira-resolver',
    reason: 'runbook step',
    incident_id: 'INC-20261124-002',
  };
  let supervisor: LocalProcessSupervisor;
  let bus: NatsConnectionService;
  let leases: LeaseService;
  let runtime: SandboxedRuntime;
  let url: string;

  beforeAll(async () => {
    const [webPort, cartPort] = [await freePort(), await freePort()];
    supervisor = new LocalProcessSupervisor({
      processes: [
        {
          name: 'shop-web',
          command: NODE,
          args: ['-e', SERVICE],
          env: { NAME: 'shop-web', PORT: String(webPort) },
          health_url: `http://127.0.0.1:${webPort}/`,
        },
        {
          name: 'shop-cart',
          command: NODE,
          args: ['-e', SERVICE],
          env: { NAME: 'shop-cart', PORT: String(cartPort) },
          health_url: `http://127.0.0.1:${cartPort}/`,
        },
      ],
      control: { host: '127.0.0.1', port: 0, token },
      logLines: 200,
      stopGraceMs: 2_000,
    });
    ({ url } = await supervisor.start());
    ({ bus } = await openTestBus(NATS_URL, namespace, 'process-runtime'));
    leases = new LeaseService(
      await new KvFactory(bus).open(KV_BUCKETS.locks, { class: LeaseRecord }),
    );
    runtime = new SandboxedRuntime({
      agent: 'jira-resolver',
      driver: new ProcessRuntimeDriver({ base_url: url, token }),
      policy: new RuntimePolicy({
        runtime: {
          allowed_commands: ['restart', 'logs', 'inspect'],
          blocked_commands: ['rm', 'exec'],
        },
        services: {
          watched: new Map([
            ['web', { container: 'shop-web' }],
            ['cart', { container: 'shop-cart', aliases: ['cartservice'] }],
          ]),
          protected: ['nats'],
        },
      }),
      fencing: (key, revision) => leases.isCurrent(key, revision),
      audit: new JsonlAuditLog({ path: auditPath }),
      mode: 'act',
      logger: {
        log: () => undefined,
        warn: () => undefined,
        error: (m: string) => console.error(m),
      },
    });
    await eventually(
      async () => (await runtime.inspect('web', caller)).health === 'healthy',
      10_000,
    );
  });

  afterAll(async () => {
    await supervisor?.stop();
    if (bus) {
      await removeTestTopology(bus);
      await bus.close();
    }
    rmSync(auditDir, { recursive: true, force: true });
  });

  it('inspects a process: pid, running, health, rss', async () => {
    const inspection = await runtime.inspect('cartservice', caller);
    expect(inspection).toMatchObject({
      service: 'cart',
      name: 'shop-cart',
      running: true,
      status: 'running',
      oom_killed: false,
      exit_code: null,
      restart_count: 0,
    });
    expect(Number(inspection.id)).toBeGreaterThan(0);
    expect(inspection.memory_bytes).toBeGreaterThan(0);
  });

  it('reads stdout and stderr lines', async () => {
    await eventually(async () => (await runtime.logs('web', 10, caller)).lines.length >= 2);
    const logs = await runtime.logs('web', 10, caller);
    expect(logs.lines.map((l) => [l.stream, l.text.replace(/pid=\d+/, 'pid=N')])).toEqual([
      ['stdout', 'shop-web listening pid=N'],
      ['stderr', 'shop-web warn: cache cold'],
    ]);
  });

  it('restarts under a live lease: new pid, later started_at, the other process untouched', async () => {
    const before = await runtime.inspect('web', caller);
    const cartBefore = await runtime.inspect('cart', caller);
    const acquired = await leases.acquire('service.web', 'jira-resolver', 30_000, 'remediation');
    if (!acquired.ok) throw new Error('lease not acquired');
    const outcome = await runtime.restart(
      'web',
      { key: 'service.web', revision: acquired.lease.revision },
      caller,
    );
    const after = await runtime.inspect('web', caller);
    expect(outcome).toEqual({ service: 'web', started_at: after.started_at, dry_run: false });
    expect(after.id).not.toBe(before.id);
    expect(Date.parse(after.started_at ?? '')).toBeGreaterThan(Date.parse(before.started_at ?? ''));
    expect(after.restart_count).toBe(1);
    expect(await runtime.inspect('cart', caller)).toMatchObject({
      id: cartBefore.id,
      started_at: cartBefore.started_at,
    });
    await eventually(
      async () =>
        (await runtime.logs('web', 10, caller)).lines.filter((l) => l.text.includes('listening'))
          .length === 2,
    );
    const texts = (await runtime.logs('web', 10, caller)).lines.map((l) =>
      l.text.replace(/pid=\d+/, 'pid=N'),
    );
    expect(texts).toEqual([
      'shop-web listening pid=N',
      'shop-web warn: cache cold',
      'shop-web stopping',
      'shop-web listening pid=N',
      'shop-web warn: cache cold',
    ]);
    await leases.release(acquired.lease);
    const [record] = (await readAuditTail(auditPath, 20)).filter(
      (r) => r.action === 'runtime.restart',
    );
    expect(record).toMatchObject({ verdict: 'allowed', revision: acquired.lease.revision });
  });

  it('refuses a stale lease and rm/exec; the process keeps running as it was', async () => {
    const before = await runtime.inspect('cart', caller);
    const mine = await leases.acquire('service.cart', 'jira-resolver', 30_000, 'remediation');
    if (!mine.ok) throw new Error('lease not acquired');
    await leases.release(mine.lease);
    const theirs = await leases.acquire('service.cart', 'demo-controller', 30_000, 'load test');
    if (!theirs.ok) throw new Error('lease not acquired');
    await expect(
      runtime.restart('cart', { key: 'service.cart', revision: mine.lease.revision }, caller),
    ).rejects.toThrow(/stale fencing token: lease service.cart is at a newer revision/);
    await expect(runtime.execute('rm', 'cart', caller)).rejects.toBeInstanceOf(RuntimeRefusedError);
    await expect(runtime.execute('exec', 'cart', caller)).rejects.toBeInstanceOf(
      RuntimeRefusedError,
    );
    expect(await runtime.inspect('cart', caller)).toMatchObject({
      id: before.id,
      started_at: before.started_at,
    });
    await leases.release(theirs.lease);
  });

  it('a driver with the wrong token is refused by the supervisor, and nothing restarts', async () => {
    const before = supervisor.list();
    const intruder = new ProcessRuntimeDriver({ base_url: url, token: 'not-the-token-0123456789' });
    const target = {
      service: 'web',
      runtime_name: 'shop-web',
      protected: false,
      restartable: true,
    };
    for (const attempt of [
      () => intruder.restart(target),
      () => intruder.inspect(target),
      () => intruder.logs(target, 5),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuntimeDriverError);
      expect((err as RuntimeDriverError).code).toBe('unauthorized');
    }
    expect(supervisor.list()).toEqual(before);
  });
});
