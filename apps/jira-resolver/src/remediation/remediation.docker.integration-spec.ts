import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  IncidentRecord,
  KV_BUCKETS,
  LeaseRecord,
  RemediationRunRecord,
  RestartLogRecord,
  serviceLockKey,
  errorMessage,
} from '@opscrew/contracts';
import { JsonlAuditLog, readAuditTail } from '@opscrew/guardrails';
import {
  DockerRuntimeDriver,
  type MetricsSnapshot,
  type MetricsSource,
  SandboxedRuntime,
} from '@opscrew/integrations';
import {
  EventPublisher,
  IncidentLedger,
  KvFactory,
  LeaseService,
  type NatsConnectionService,
} from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { runtimePolicyFor } from '@opscrew/sandbox';
import Dockerode from 'dockerode';
import { RecordingOutbox } from '@opscrew/testing';
import { RunbookCatalog } from '../runbooks/runbook.catalog';
import { TicketGateway } from '../tickets/ticket.gateway';
import { RemediationRunsRepository } from './remediation-runs.repository';
import { composeRemediation } from './remediation.composition';
import { RecordingEscalation } from './testing/remediation.fakes';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DOCKER_SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
const IMAGE = process.env.OPSCREW_BUSYBOX_IMAGE ?? 'local/busybox:1';

/**
 * The remediation engine on a real Docker Engine: the `cart` container (a
 * compose-labelled busybox) is only restarted once demo-controller's lease on
 * it is released, exactly once, through the sandboxed runtime, and the fix is
 * proven with metrics before the run succeeds.
 */
describe('remediation on a real Docker engine', () => {
  const project = `opscrew-test-${randomBytes(4).toString('hex')}`;
  const docker = new Dockerode({ socketPath: DOCKER_SOCKET });
  const scratch = mkdtempSync(join(tmpdir(), 'opscrew-remediation-docker-'));
  let bus: NatsConnectionService;
  let loaded: LoadedConfig;
  let containerId: string;
  let firstStart: string;

  /** Error metrics are bad until the container has been restarted (a restart-curable fault). */
  const metrics: MetricsSource = {
    kind: 'docker-backed',
    collect: async (services) => {
      const started = (await docker.getContainer(containerId).inspect()).State.StartedAt;
      const cured = started !== firstStart;
      const snapshot: MetricsSnapshot = {
        at: new Date().toISOString(),
        missing: [],
        samples: services.map((service) => ({
          service,
          at: new Date().toISOString(),
          window_s: 1,
          request_rate_rps: 10,
          error_rate_ratio: cured ? 0.001 : 0.3,
          latency_p99_ms: 80,
        })),
      };
      return snapshot;
    },
  };

  beforeAll(async () => {
    await docker.ping().catch((error: unknown) => {
      throw new Error(
        `no Docker engine at ${DOCKER_SOCKET} (${errorMessage(error)}): npm test starts one (scripts/lib/setup.sh ensure_docker)`,
      );
    });
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'remediation-docker'));
    loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    loaded.config.thresholds.verification.wait_after_restart_s = 1;
    loaded.config.thresholds.verification.check_interval_s = 0.5;
    const container = await docker.createContainer({
      Image: IMAGE,
      name: `${project}-cart-1`,
      Cmd: [
        'sh',
        '-c',
        'trap "exit 0" TERM; echo "cart up"; echo "ERROR upstream returned 500" >&2; sleep 3600 & wait',
      ],
      Labels: { 'com.docker.compose.service': 'cart', 'com.docker.compose.project': project },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    containerId = container.id;
    firstStart = (await container.inspect()).State.StartedAt;
  });

  afterAll(async () => {
    // The test removes its container itself: the sandboxed runtime can never rm.
    await docker
      .getContainer(containerId)
      .remove({ force: true })
      .catch(() => undefined);
    await removeTestTopology(bus);
    await bus.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('defers behind a held lease, restarts once after the release, verifies, succeeds', async () => {
    const kv = new KvFactory(bus);
    const leases = new LeaseService(await kv.open(KV_BUCKETS.locks, { class: LeaseRecord }));
    const auditPath = join(scratch, 'audit.jsonl');
    const audit = new JsonlAuditLog({ path: auditPath });
    const runtime = new SandboxedRuntime({
      agent: 'jira-resolver',
      driver: new DockerRuntimeDriver({
        socket_path: DOCKER_SOCKET,
        compose_project: project,
        stop_timeout_s: 2,
      }),
      policy: runtimePolicyFor(loaded.config, 'jira-resolver'),
      fencing: (key, revision) => leases.isCurrent(key, revision),
      audit,
      mode: 'act',
    });
    const runs = new RemediationRunsRepository(
      await kv.open(KV_BUCKETS.remediations, { class: RemediationRunRecord }),
      await kv.open(KV_BUCKETS.remediations, { class: RestartLogRecord }),
      () => kv.listKeys(KV_BUCKETS.remediations),
    );
    const outbox = new RecordingOutbox();
    const engine = composeRemediation({
      config: loaded.config,
      catalog: new RunbookCatalog(loaded, () => loaded),
      runtime,
      metrics,
      leases,
      runs,
      tickets: new TicketGateway(outbox, false),
      escalation: new RecordingEscalation(),
      publisher: new EventPublisher(bus, 'jira-resolver'),
      ledger: new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
      audit,
      now: () => new Date(),
      holder: 'resolver-docker-test',
      mode: 'act',
    });
    const drive = async (
      ms: number,
      until?: (run: RemediationRunRecord) => boolean,
    ): Promise<RemediationRunRecord> => {
      const deadline = Date.now() + ms;
      for (;;) {
        const entry = await runs.get('INC-20261124-001');
        if (!entry) throw new Error('no run');
        if (until?.(entry.value) || Date.now() > deadline) return entry.value;
        await engine.advance(entry);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    };

    const stress = await leases.acquire(
      serviceLockKey('cart'),
      'demo-controller',
      30_000,
      'stress test',
    );
    if (!stress.ok) throw new Error('could not take the lock for the test');
    await engine.enqueue({
      incident_id: 'INC-20261124-001',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
    });
    const deferred = await drive(3000, (run) => run.state === 'deferred');
    expect(deferred.state).toBe('deferred');
    await drive(1500);
    expect((await docker.getContainer(containerId).inspect()).State.StartedAt).toBe(firstStart);
    expect(outbox.comments()).toContain(
      `deferred: demo-controller holds cart until ${stress.lease.expires_at}`,
    );

    await leases.release(stress.lease);
    const done = await drive(30_000, (run) => ['succeeded', 'failed'].includes(run.state));
    expect(done.state).toBe('succeeded');
    const after = await docker.getContainer(containerId).inspect();
    expect(after.State.StartedAt).not.toBe(firstStart);
    expect(after.State.Running).toBe(true);
    const restarts = (await readAuditTail(auditPath, 100)).filter(
      (record) => record.action === 'runtime.restart' && record.verdict === 'allowed',
    );
    expect(restarts).toHaveLength(1);
    expect(done.steps.map((step) => `${step.action}:${step.result}`)).toEqual([
      'check_logs:ok',
      'check_dependencies:ok',
      'restart_service:ok',
      'verify_metrics:ok',
    ]);
    expect(done.steps[0]?.detail).toMatch(/ERROR upstream returned 500/);
  });
});
