import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import { connect, type NatsError } from 'nats';
import { BUS_USERS, type BusUser } from './bus-permissions';
import { EventPublisher } from './event-publisher.service';
import { KvFactory } from './kv-factory.service';
import { NatsConnectionService } from './nats-connection.service';
import { natsPasswordVariable, renderNatsServerConf } from './nats-server-conf';
import { SubjectMapper } from './subject-mapper';
import { testNamespace } from './testing/test-namespace';
import { provisionAll } from './topology.provisioner';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(60_000);

/** A refused publish gets no stream ack: the client gives up after this (a short JS timeout). */
const REFUSED_PUBLISH_TIMEOUT_MS = 1_500;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Any JSON object: these checks are about permissions, not record shapes. */
const anyJson = {
  validate: (raw: unknown) =>
    typeof raw === 'object' && raw !== null
      ? { ok: true as const, value: raw as Record<string, unknown> }
      : { ok: false as const, reason: 'must be an object' },
};

const incident = {
  incident_id: 'INC-20250131-001',
  fingerprint: 'cart:high_error_rate',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  value: 0.12,
  detected_at: new Date().toISOString(),
  evidence: {},
} as const;

/**
 * A second nats-server, started with the generated authorization (the same
 * generator as deploy/nats/nats.conf) and test passwords: each agent user can
 * do its job and nothing more.
 */
describe('NATS users with least-privilege permissions (generated nats.conf)', () => {
  const namespace = testNamespace();
  const mapper = new SubjectMapper(namespace, 'OPS');
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-nats-auth-'));
  const passwords = Object.fromEntries(
    // A leading letter: nats-server parses a `$VAR` value as a config token, so a password
    // starting with a digit would be read as a number and refused.
    BUS_USERS.map((user) => [user, `p${randomBytes(12).toString('hex')}`]),
  ) as Record<BusUser, string>;
  let server: ChildProcess | undefined;
  let serverLog = '';
  let url = '';
  const opened: NatsConnectionService[] = [];

  async function busAs(user: BusUser, password = passwords[user]): Promise<NatsConnectionService> {
    const bus = new NatsConnectionService({
      servers: [url],
      name: `auth-test-${user}`,
      namespace,
      user,
      pass: password,
      wait_on_first_connect: false,
      reconnect: { initial_delay_ms: 50, max_delay_ms: 500 },
    });
    opened.push(bus);
    await bus.connect();
    return bus;
  }

  /**
   * A JetStream publish (an event, or a KV put: `$KV.<bucket>.<key>`) the server
   * refuses: the client's request fails with the server's permissions violation
   * naming the subject, and no stream ack ever comes.
   */
  async function expectRefused(bus: NatsConnectionService, subject: string): Promise<void> {
    const error = await bus
      .jetstream()
      .publish(subject, new TextEncoder().encode('{}'), { timeout: REFUSED_PUBLISH_TIMEOUT_MS })
      .then(
        () => null,
        (err: unknown) => err as NatsError,
      );
    expect(error).not.toBeNull();
    expect(error?.code).toBe('PERMISSIONS_VIOLATION');
    expect(error?.message).toContain(`Permissions Violation for Publish to "${subject}"`);
  }

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    const port = await freePort();
    url = `nats://127.0.0.1:${port}`;
    const confFile = join(dir, 'nats.conf');
    writeFileSync(
      confFile,
      renderNatsServerConf(mapper, {
        listen: `127.0.0.1:${port}`,
        http: null,
        server_name: 'opscrew-auth-test',
        store_dir: join(dir, 'jetstream'),
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const user of BUS_USERS) env[natsPasswordVariable(user)] = passwords[user];
    server = spawn('nats-server', ['-js', '-c', confFile, '-p', String(port), '-a', '127.0.0.1'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (/Server is ready/.test(serverLog)) break;
      if (server.exitCode !== null || Date.now() > deadline)
        throw new Error(`nats-server did not start:\n${serverLog}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Provisioning as a restricted user: any agent may be the first one up.
    const bus = await busAs('ops-monitor');
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
  });

  afterAll(async () => {
    for (const bus of opened) await bus.close().catch(() => undefined);
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('lets ops-monitor publish incident.detected; JetStream stores it and atlas pulls it from its durable', async () => {
    const bus = await busAs('ops-monitor');
    const published = await new EventPublisher(bus, 'ops-monitor').publish(
      SUBJECTS.incidentDetected,
      incident,
    );
    expect(published.seq).toBeGreaterThan(0);
    expect(published.duplicate).toBe(false);

    const atlas = await busAs('atlas');
    const consumer = await atlas.jetstream().consumers.get(mapper.stream(), 'atlas-ledger');
    const batch = await consumer.fetch({ max_messages: 1, expires: 5_000 });
    const subjects: string[] = [];
    for await (const message of batch) {
      subjects.push(message.subject);
      expect(message.seq).toBe(published.seq);
      expect(message.json<{ id: string }>().id).toBe(published.event.id);
      message.ack();
    }
    expect(subjects).toEqual([mapper.toWire(SUBJECTS.incidentDetected)]);
  });

  it('refuses ops-monitor publishing remediation.started: a permissions violation, no stream ack', async () => {
    const bus = await busAs('ops-monitor');
    const wire = mapper.toWire(SUBJECTS.remediationStarted);
    await expectRefused(bus, wire);
    // The stream holds nothing on that subject: only ops-monitor's incident was stored.
    const atlas = await busAs('atlas');
    const consumer = await atlas.jetstream().consumers.get(mapper.stream(), 'atlas-ledger');
    expect((await consumer.info()).num_pending).toBe(0);
  });

  it('refuses demo-controller publishing incident.resolved (nothing reaches the ledger consumer)', async () => {
    const bus = await busAs('demo-controller');
    await expectRefused(bus, mapper.toWire(SUBJECTS.incidentResolved));
    const atlas = await busAs('atlas');
    const consumer = await atlas.jetstream().consumers.get(mapper.stream(), 'atlas-ledger');
    expect((await consumer.info()).num_pending).toBe(0);
    // Its own events still go through.
    const published = await new EventPublisher(bus, 'demo-controller').publish(
      SUBJECTS.lockAcquired,
      {
        service: 'cart',
        holder: 'demo-controller-test',
        revision: 1,
        expires_at: new Date(Date.now() + 60_000).toISOString(),
        reason: 'stress test',
      },
    );
    expect(published.seq).toBeGreaterThan(0);
  });

  it('lets an agent read and write its buckets, and refuses writes to buckets it only reads', async () => {
    const bus = await busAs('ops-monitor');
    const kv = new KvFactory(bus);
    const fingerprints = await kv.open(KV_BUCKETS.fingerprints, anyJson);
    const revision = await fingerprints.create('cart.high_error_rate', { open: true });
    // null would mean the key already existed: this bucket is fresh.
    if (revision === null) throw new Error('create on a fresh bucket was refused');
    expect(await fingerprints.get('cart.high_error_rate')).toEqual({
      value: { open: true },
      revision,
    });
    expect(await fingerprints.update('cart.high_error_rate', { open: false }, revision)).toBe(
      revision + 1,
    );
    expect(await kv.listKeys(KV_BUCKETS.fingerprints)).toEqual(['cart.high_error_rate']);
    // A listing through the client's ordered consumer (what the outbox does) works too.
    const outbox = await kv.raw(KV_BUCKETS.outbox);
    await outbox.put('item-1', new TextEncoder().encode('{}'));
    const keys: string[] = [];
    for await (const key of await outbox.keys()) keys.push(key);
    expect(keys).toEqual(['item-1']);
    // Its own heartbeat only.
    const heartbeats = await kv.raw(KV_BUCKETS.heartbeats);
    expect(await heartbeats.put('ops-monitor', new TextEncoder().encode('{}'))).toBeGreaterThan(0);
    await expectRefused(bus, `$KV.${mapper.bucket(KV_BUCKETS.heartbeats)}.atlas`);
    // Locks: reads (which services are under deliberate work), never takes one.
    const locks = await kv.open(KV_BUCKETS.locks, anyJson);
    expect(await locks.get('service.cart')).toBeNull();
    await expectRefused(bus, `$KV.${mapper.bucket(KV_BUCKETS.locks)}.service.cart`);
    // jira-resolver, which takes restart leases, may write there.
    const resolver = new KvFactory(await busAs('jira-resolver'));
    const lease = await resolver.open(KV_BUCKETS.locks, anyJson);
    expect(await lease.create('service.cart', { holder: 'jira-resolver-test' })).toBeGreaterThan(0);
    expect((await locks.get('service.cart'))?.value).toEqual({ holder: 'jira-resolver-test' });
  });

  it('refuses a wrong password (and no password) at connect', async () => {
    await expect(
      connect({ servers: url, user: 'ops-monitor', pass: 'wrong-password', reconnect: false }),
    ).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' } satisfies Partial<NatsError>);
    await expect(connect({ servers: url, reconnect: false })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    await expect(busAs('cli', passwords['atlas'])).rejects.toThrow(/authorization/i);
  });
});
