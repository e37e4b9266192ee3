import { errorMessage, KV_BUCKETS, LeaseRecord, parseEvent } from '@opscrew/contracts';
import { JsonlAuditLog, readAuditTail } from '@opscrew/guardrails';
import {
  EventPublisher,
  KvFactory,
  LeaseService,
  type NatsConnectionService,
} from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { RuntimePolicy } from '@opscrew/sandbox';
import Dockerode from 'dockerode';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jestTimeout } from '@opscrew/testing';
import { DockerRuntimeDriver } from './docker.runtime-driver';
import { type RuntimeCaller, RuntimeRefusedError } from './runtime.port';
import { SandboxedRuntime } from './sandboxed.runtime';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const DOCKER_SOCKET = process.env['DOCKER_SOCKET'] ?? '/var/run/docker.sock';
/** Built by scripts/lib/setup.sh (ensure_busybox_image): no registry is reachable here. */
const IMAGE = process.env['OPSCREW_BUSYBOX_IMAGE'] ?? 'local/busybox:1';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(120_000));

/**
 * The "shop-web" service: unhealthy on its first start (the health check wants
 * /tmp/healthy), healthy after a restart (the container's filesystem survives
 * it) — a restart-curable fault. Exits at once on SIGTERM so a restart is fast.
 */
const SHOP_WEB_SCRIPT = [
  'trap "exit 0" TERM',
  'echo "shop-web up"',
  'echo "shop-web warn: cache cold" >&2',
  'if [ -f /tmp/started-once ]; then touch /tmp/healthy; fi',
  'touch /tmp/started-once',
  'sleep 3600 & wait',
].join('; ');
const IDLE_SCRIPT = 'trap "exit 0" TERM; echo "nats up"; sleep 3600 & wait';
/** 64 MiB: far more than busybox needs, and visible as memory_limit_bytes. */
const MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;
/** Docker's unit for health check timings. */
const NS_PER_MS = 1_000_000;

describe('Docker runtime through the sandbox (real engine, real leases)', () => {
  const project = `opscrew-test-${randomBytes(4).toString('hex')}`;
  const namespace = testNamespace();
  const docker = new Dockerode({ socketPath: DOCKER_SOCKET });
  const auditDir = mkdtempSync(join(tmpdir(), 'opscrew-docker-audit-'));
  const auditPath = join(auditDir, 'audit.jsonl');
  const caller: RuntimeCaller = {
    agent: 'jira-resolver',
    reason: 'INC-20261124-001 runbook container_unhealthy step 1',
    incident_id: 'INC-20261124-001',
  };
  let bus: NatsConnectionService;
  let leases: LeaseService;
  let audit: JsonlAuditLog;
  let runtime: SandboxedRuntime;
  let shopWebId: string;
  let natsId: string;

  async function createContainer(
    service: string,
    script: string,
    healthy?: string,
  ): Promise<string> {
    const container = await docker.createContainer({
      Image: IMAGE,
      name: `${project}-${service}-1`,
      Cmd: ['sh', '-c', script],
      Labels: {
        'com.docker.compose.service': service,
        'com.docker.compose.project': project,
      },
      HostConfig: { NetworkMode: 'none', Memory: MEMORY_LIMIT_BYTES },
      ...(healthy
        ? {
            Healthcheck: {
              Test: ['CMD-SHELL', healthy],
              // Fast checks: the test waits for unhealthy/healthy in seconds, not minutes.
              Interval: 500 * NS_PER_MS,
              Timeout: 2_000 * NS_PER_MS,
              Retries: 1,
            },
          }
        : {}),
    });
    await container.start();
    return container.id;
  }

  async function state(id: string): Promise<Dockerode.ContainerInspectInfo> {
    return docker.getContainer(id).inspect();
  }

  beforeAll(async () => {
    try {
      await docker.ping();
    } catch (err: unknown) {
      throw new Error(
        `no Docker engine at ${DOCKER_SOCKET} (${errorMessage(err)}): run scripts/lib/setup.sh's ensure_docker (npm test does)`,
      );
    }
    await docker
      .getImage(IMAGE)
      .inspect()
      .catch(() => {
        throw new Error(
          `image ${IMAGE} is missing: run scripts/lib/setup.sh's ensure_busybox_image`,
        );
      });
    ({ bus } = await openTestBus(NATS_URL, namespace, 'docker-runtime'));
    leases = new LeaseService(
      await new KvFactory(bus).open(KV_BUCKETS.locks, { class: LeaseRecord }),
    );
    const publisher = new EventPublisher(bus, 'jira-resolver');
    audit = new JsonlAuditLog({
      path: auditPath,
      publish: publisher,
    });
    runtime = new SandboxedRuntime({
      agent: 'jira-resolver',
      driver: new DockerRuntimeDriver({
        socket_path: DOCKER_SOCKET,
        compose_project: project,
        stop_timeout_s: 2,
      }),
      policy: new RuntimePolicy({
        runtime: {
          allowed_commands: ['restart', 'logs', 'inspect'],
          blocked_commands: ['rm', 'exec', 'build', 'kill', 'stop'],
        },
        services: {
          watched: new Map([['shop-web', { aliases: ['shopweb'] }]]),
          protected: ['nats'],
        },
      }),
      fencing: (key, revision) => leases.isCurrent(key, revision),
      audit,
      mode: 'act',
      // Refusals are what these tests provoke: keep their warnings out of the run's output.
      logger: {
        log: () => undefined,
        warn: () => undefined,
        error: (m: string) => console.error(m),
      },
    });
    shopWebId = await createContainer('shop-web', SHOP_WEB_SCRIPT, 'test -f /tmp/healthy');
    natsId = await createContainer('nats', IDLE_SCRIPT);
    await eventually(
      async () => (await state(shopWebId)).State.Health?.Status === 'unhealthy',
      30_000,
    );
  });

  afterAll(async () => {
    // The sandboxed runtime can never remove anything: the test cleans up with dockerode directly.
    const mine = await docker.listContainers({
      all: true,
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    await audit?.flush();
    if (bus) {
      await removeTestTopology(bus);
      await bus.close();
    }
    rmSync(auditDir, { recursive: true, force: true });
  });

  it('inspects the unhealthy service as Docker reports it', async () => {
    const inspection = await runtime.inspect('shop-web', caller);
    expect(inspection).toMatchObject({
      service: 'shop-web',
      id: shopWebId,
      name: `${project}-shop-web-1`,
      running: true,
      status: 'running',
      oom_killed: false,
      exit_code: null,
      health: 'unhealthy',
      restart_count: 0,
      memory_limit_bytes: MEMORY_LIMIT_BYTES,
    });
    expect(inspection.started_at).toBe((await state(shopWebId)).State.StartedAt);
  });

  it('reads demultiplexed stdout and stderr lines', async () => {
    const logs = await runtime.logs('shop-web', 50, caller);
    expect(logs.service).toBe('shop-web');
    expect(logs.lines).toEqual(
      expect.arrayContaining([
        { stream: 'stdout', text: 'shop-web up' },
        { stream: 'stderr', text: 'shop-web warn: cache cold' },
      ]),
    );
  });

  it('refuses rm and exec: the container is untouched and the refusals are audited', async () => {
    const before = await state(shopWebId);
    for (const command of ['rm', 'exec', 'kill', 'stop']) {
      await expect(runtime.execute(command, 'shop-web', caller)).rejects.toBeInstanceOf(
        RuntimeRefusedError,
      );
    }
    const after = await state(shopWebId);
    expect(after.Id).toBe(before.Id);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.State.Running).toBe(true);
    const tail = await readAuditTail(auditPath, 4);
    expect(tail.map((r) => [r.action, r.verdict])).toEqual([
      ['runtime.rm', 'refused'],
      ['runtime.exec', 'refused'],
      ['runtime.kill', 'refused'],
      ['runtime.stop', 'refused'],
    ]);
  });

  it('never touches a protected container, even under a valid lease; reads it', async () => {
    const before = await state(natsId);
    const acquired = await leases.acquire('service.nats', 'jira-resolver', 30_000, 'test');
    if (!acquired.ok) throw new Error('lease on service.nats not acquired');
    await expect(
      runtime.restart('nats', { key: 'service.nats', revision: acquired.lease.revision }, caller),
    ).rejects.toThrow(/nats is a protected service/);
    await expect(runtime.execute('rm', 'nats', caller)).rejects.toBeInstanceOf(RuntimeRefusedError);
    const after = await state(natsId);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    expect(after.RestartCount).toBe(before.RestartCount);
    expect((await runtime.inspect('nats', caller)).running).toBe(true);
    await leases.release(acquired.lease);
  });

  it('refuses a restart with a stale revision (released and re-acquired by someone else)', async () => {
    const before = await state(shopWebId);
    const mine = await leases.acquire('service.shop-web', 'jira-resolver', 30_000, 'remediation');
    if (!mine.ok) throw new Error('lease not acquired');
    expect(await leases.release(mine.lease)).toBe(true);
    const theirs = await leases.acquire('service.shop-web', 'demo-controller', 30_000, 'load test');
    if (!theirs.ok) throw new Error('second lease not acquired');
    expect(theirs.lease.revision).toBeGreaterThan(mine.lease.revision);
    await expect(
      runtime.restart('shop-web', { key: mine.lease.key, revision: mine.lease.revision }, caller),
    ).rejects.toThrow(
      `stale fencing token: lease service.shop-web is at a newer revision than ${mine.lease.revision}`,
    );
    const after = await state(shopWebId);
    expect(after.State.StartedAt).toBe(before.State.StartedAt);
    await leases.release(theirs.lease);
  });

  it('restarts the unhealthy service under a live lease: StartedAt moves forward, it becomes healthy', async () => {
    const before = await state(shopWebId);
    const acquired = await leases.acquire(
      'service.shop-web',
      'jira-resolver',
      30_000,
      'remediation',
    );
    if (!acquired.ok) throw new Error('lease not acquired');
    const fencing = { key: acquired.lease.key, revision: acquired.lease.revision };

    const outcome = await runtime.restart('shopweb', fencing, caller);

    const after = await state(shopWebId);
    expect(outcome).toEqual({
      service: 'shop-web',
      started_at: after.State.StartedAt,
      dry_run: false,
    });
    expect(Date.parse(after.State.StartedAt)).toBeGreaterThan(Date.parse(before.State.StartedAt));
    expect(after.Id).toBe(before.Id);
    expect(after.State.Running).toBe(true);
    // What Docker says, whatever it says: a manual restart does not count towards RestartCount.
    const inspection = await runtime.inspect('shop-web', caller);
    expect(inspection.restart_count).toBe(after.RestartCount);
    expect(inspection.started_at).toBe(after.State.StartedAt);
    await eventually(
      async () => (await runtime.inspect('shop-web', caller)).health === 'healthy',
      30_000,
      250,
    );
    const [record] = (await readAuditTail(auditPath, 10)).filter(
      (r) => r.action === 'runtime.restart' && r.verdict === 'allowed',
    );
    expect(record).toMatchObject({
      agent: 'jira-resolver',
      revision: acquired.lease.revision,
      incident_id: 'INC-20261124-001',
      input_digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await leases.release(acquired.lease);
  });

  it('publishes every audit record as audit.jira-resolver on the bus', async () => {
    await audit.flush();
    const jsm = await bus.jetstreamManager();
    const last = await jsm.streams.getMessage(bus.subjects.stream(), {
      last_by_subj: bus.subjects.toPublishWire('audit.jira-resolver', 'jira-resolver'),
    });
    const parsed = parseEvent('audit.jira-resolver', last.data);
    expect(parsed.ok).toBe(true);
    const [lastLine] = await readAuditTail(auditPath, 1);
    if (parsed.ok) {
      expect(parsed.event).toMatchObject({
        agent: 'jira-resolver',
        action: lastLine?.action,
        verdict: lastLine?.verdict,
        input_digest: lastLine?.input_digest,
        source: 'jira-resolver',
      });
    }
  });
});
