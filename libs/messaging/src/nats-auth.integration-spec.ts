import { Logger } from '@nestjs/common';
import { AGENT_NAMES, KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import { AckPolicy, connect, KvWatchInclude, type NatsError } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { BUS_GRANTS, type BusUser } from './bus-permissions';
import { EventPublisher } from './event-publisher.service';
import { KvFactory } from './kv-factory.service';
import { type NatsConnectionService } from './nats-connection.service';
import { SubjectMapper } from './subject-mapper';
import {
  type AuthenticatedNatsServer,
  startAuthenticatedNatsServer,
} from './testing/authenticated-nats-server';
import { testNamespace } from './testing/test-namespace';
import {
  bucketStreamName,
  consumerStream,
  consumerWireFilter,
  provisionAll,
} from './topology.provisioner';
import { CONSUMERS } from './topology';
import { missingTopology } from './topology.verifier';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/** A refused publish gets no stream ack: the client gives up after this (a short JS timeout). */
const REFUSED_PUBLISH_TIMEOUT_MS = 1_500;

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
  let server: AuthenticatedNatsServer | undefined;
  let url = '';

  function busAs(user: BusUser, password?: string): Promise<NatsConnectionService> {
    if (server === undefined) throw new Error('the test nats-server did not start');
    return server.busAs(user, password);
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

  /** A JetStream API request the server refuses: the permissions violation names its subject. */
  async function expectApiRefused(request: Promise<unknown>, subject: string): Promise<void> {
    const error = await request.then(
      () => null,
      (err: unknown) => err as NatsError,
    );
    expect(error).not.toBeNull();
    expect(error?.message).toContain(`Permissions Violation for Publish to "${subject}"`);
  }

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    server = await startAuthenticatedNatsServer(mapper, process.env);
    url = server.url;
    // The admin step (`opscrew bus provision`): the only user that may make the topology.
    const admin = await busAs('admin');
    await provisionAll(await admin.jetstreamManager(), admin.subjects, {
      duplicate_window_ms: admin.options.duplicate_window_ms,
    });
  });

  afterAll(async () => {
    await server?.stop();
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
    // The subject names its publisher: ops-monitor's user, the only one allowed to publish it.
    expect(subjects).toEqual([mapper.toPublishWire(SUBJECTS.incidentDetected, 'ops-monitor')]);
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
    // The outbox worker's live view: a watch of its items, updates only.
    const watch = await outbox.watch({ key: 'item.>', include: KvWatchInclude.UpdatesOnly });
    const watched = (async (): Promise<string | null> => {
      for await (const entry of watch) return entry.key;
      return null;
    })();
    await outbox.put('item.notify.x', new TextEncoder().encode('{}'));
    expect(await watched).toBe('item.notify.x');
    watch.stop();
    // Its own replicas' heartbeats only (`<agent>.<replica>`).
    const heartbeats = await kv.raw(KV_BUCKETS.heartbeats);
    expect(
      await heartbeats.put('ops-monitor.replica-1', new TextEncoder().encode('{}')),
    ).toBeGreaterThan(0);
    await expectRefused(bus, `$KV.${mapper.bucket(KV_BUCKETS.heartbeats)}.atlas.replica-1`);
    // Learning: its own drift snapshots and usual levels only; demo-controller's scoring records
    // are not its to change.
    const learning = await kv.raw(KV_BUCKETS.learning);
    expect(
      await learning.put('ops-monitor.drift.cart.latency_p99_ms', new TextEncoder().encode('{}')),
    ).toBeGreaterThan(0);
    expect(
      await learning.put('ops-monitor.usual.cart', new TextEncoder().encode('{}')),
    ).toBeGreaterThan(0);
    await expectRefused(bus, `$KV.${mapper.bucket(KV_BUCKETS.learning)}.demo-controller.run.r1`);
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

  it('lets the reporter publish incident.reported: JetStream stores it and ops-monitor pulls it from its durable', async () => {
    const reporter = await busAs('reporter');
    const published = await new EventPublisher(reporter, 'external').publish(
      SUBJECTS.incidentReported,
      {
        service: 'cart',
        symptom: 'high_error_rate',
        value: 0.3,
        reporter: 'billing-probe',
        dedup_key: 'probe-42',
      },
    );
    expect(published.seq).toBeGreaterThan(0);
    expect(published.duplicate).toBe(false);

    const monitor = await busAs('ops-monitor');
    const consumer = await monitor
      .jetstream()
      .consumers.get(mapper.stream(), 'ops-monitor-reports');
    // ops-monitor-reports reads `incident.>` (NATS 2.9: one filter, and no single one matches
    // both the bare and the attributed incident.reported): skip what earlier tests stored.
    const batch = await consumer.fetch({ max_messages: 20, expires: 3_000 });
    const reports: { subject: string; id: string }[] = [];
    for await (const message of batch) {
      if (mapper.fromWire(message.subject)?.logical === SUBJECTS.incidentReported)
        reports.push({ subject: message.subject, id: message.json<{ id: string }>().id });
      message.ack();
    }
    // An outside reporter publishes the bare subject (unattributed: reporter rights only).
    expect(reports).toEqual([
      { subject: mapper.toWire(SUBJECTS.incidentReported), id: published.event.id },
    ]);
  });

  it('refuses the reporter everything else: another event, a KV put, a consumer, the JetStream API', async () => {
    const reporter = await busAs('reporter');
    await expectRefused(reporter, mapper.toWire(SUBJECTS.incidentDetected));
    await expectRefused(reporter, mapper.toWire(SUBJECTS.incidentUpdated));
    await expectRefused(reporter, `$KV.${mapper.bucket(KV_BUCKETS.incidents)}.INC-20250131-001`);
    await expectRefused(
      reporter,
      `$KV.${mapper.bucket(KV_BUCKETS.fingerprints)}.cart.high_error_rate`,
    );
    // A consumer of its own (it could read every event) and provisioning are API requests.
    await expectRefused(reporter, `$JS.API.CONSUMER.CREATE.${mapper.stream()}.sneaky`);
    await expectRefused(reporter, `$JS.API.CONSUMER.CREATE.${mapper.stream()}.atlas-ledger`);
    await expectRefused(reporter, `$JS.API.STREAM.INFO.${mapper.stream()}`);
    await expect(reporter.jetstreamManager()).rejects.toThrow(/permissions violation/i);
    // Nothing of that reached the stream: atlas's ledger consumer has nothing new.
    const atlas = await busAs('atlas');
    const ledger = await atlas.jetstream().consumers.get(mapper.stream(), 'atlas-ledger');
    const before = (await ledger.info()).num_pending;
    await expectRefused(reporter, mapper.toWire(SUBJECTS.incidentResolved));
    expect((await ledger.info()).num_pending).toBe(before);
  });

  it('refuses a wrong password (and no password) at connect', async () => {
    await expect(
      connect({ servers: url, user: 'ops-monitor', pass: 'wrong-password', reconnect: false }),
    ).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' } satisfies Partial<NatsError>);
    await expect(connect({ servers: url, reconnect: false })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    await expect(busAs('cli', server?.passwords.atlas)).rejects.toThrow(/authorization/i);
  });

  describe('provisioning is the admin step: no agent can change the topology', () => {
    const API = '$JS.API';

    it('the admin provisions idempotently, and can neither delete nor read events', async () => {
      const admin = await busAs('admin');
      const jsm = await admin.jetstreamManager();
      const again = await provisionAll(jsm, admin.subjects, {
        duplicate_window_ms: admin.options.duplicate_window_ms,
      });
      expect(
        [again.stream, again.deadLetterStream, ...again.consumers, ...again.buckets].every(
          (item) => item.action === 'unchanged',
        ),
      ).toBe(true);
      const stream = mapper.stream();
      await expectApiRefused(jsm.streams.delete(stream), `${API}.STREAM.DELETE.${stream}`);
      await expectApiRefused(jsm.streams.purge(stream), `${API}.STREAM.PURGE.${stream}`);
      await expectApiRefused(
        jsm.consumers.delete(stream, 'atlas-ledger'),
        `${API}.CONSUMER.DELETE.${stream}.atlas-ledger`,
      );
      // A pull is a MSG.NEXT request: refused (the client's pull API would just end empty).
      await expectApiRefused(
        admin
          .connection()
          .request(
            `${API}.CONSUMER.MSG.NEXT.${stream}.atlas-ledger`,
            JSON.stringify({ batch: 1 }),
            {
              timeout: REFUSED_PUBLISH_TIMEOUT_MS,
            },
          ),
        `${API}.CONSUMER.MSG.NEXT.${stream}.atlas-ledger`,
      );
      await expectRefused(admin, mapper.toWire(SUBJECTS.incidentReported));
    });

    it('refuses ops-monitor truncating OPS (STREAM.UPDATE max_msgs 1), deleting or purging it', async () => {
      const monitor = await busAs('ops-monitor');
      const jsm = await monitor.jetstreamManager();
      const stream = mapper.stream();
      const info = await jsm.streams.info(stream);
      await expectApiRefused(
        jsm.streams.update(stream, { ...info.config, max_msgs: 1 }),
        `${API}.STREAM.UPDATE.${stream}`,
      );
      await expectApiRefused(jsm.streams.delete(stream), `${API}.STREAM.DELETE.${stream}`);
      await expectApiRefused(jsm.streams.purge(stream), `${API}.STREAM.PURGE.${stream}`);
      await expectApiRefused(
        jsm.streams.add({ ...info.config, max_msgs: 1 }),
        `${API}.STREAM.CREATE.${stream}`,
      );
      // Nothing changed: the limits are the declared ones, the messages are all there.
      const after = await jsm.streams.info(stream);
      expect(after.config.max_msgs).toBe(info.config.max_msgs);
      expect(after.state.messages).toBe(info.state.messages);
      const deadLetters = mapper.deadLetterStream();
      await expectApiRefused(
        jsm.streams.delete(deadLetters),
        `${API}.STREAM.DELETE.${deadLetters}`,
      );
    });

    it("refuses updating or deleting a bucket's stream", async () => {
      const monitor = await busAs('ops-monitor');
      const jsm = await monitor.jetstreamManager();
      // A bucket ops-monitor writes: its data yes, its stream's limits no.
      const kvStream = bucketStreamName(mapper.bucket(KV_BUCKETS.fingerprints));
      const info = await jsm.streams.info(kvStream);
      await expectApiRefused(
        jsm.streams.update(kvStream, { ...info.config, max_msgs_per_subject: 1, max_age: 1e9 }),
        `${API}.STREAM.UPDATE.${kvStream}`,
      );
      await expectApiRefused(jsm.streams.delete(kvStream), `${API}.STREAM.DELETE.${kvStream}`);
      await expectApiRefused(jsm.streams.purge(kvStream), `${API}.STREAM.PURGE.${kvStream}`);
      expect((await jsm.streams.info(kvStream)).config.max_age).toBe(info.config.max_age);
    });

    it("refuses ops-monitor retargeting jira-resolver's durable, or deleting it", async () => {
      const monitor = await busAs('ops-monitor');
      const jsm = await monitor.jetstreamManager();
      const durable = 'jira-resolver-incidents';
      const stream = consumerStream(mapper, CONSUMERS[durable]);
      const never = mapper.toWire('report.never-fires');
      // 2.9 clients: CONSUMER.CREATE.<stream>.<name>.<filter> (create and update alike).
      await expectApiRefused(
        jsm.consumers.add(stream, {
          durable_name: durable,
          filter_subject: never,
          ack_policy: AckPolicy.Explicit,
        }),
        `${API}.CONSUMER.CREATE.${stream}.${durable}.${never}`,
      );
      // The client's update reads the consumer first: refused already there (not its durable).
      await expectApiRefused(
        jsm.consumers.update(stream, durable, { filter_subject: never }),
        `${API}.CONSUMER.INFO.${stream}.${durable}`,
      );
      // Older clients' DURABLE.CREATE, sent by hand.
      await expectApiRefused(
        monitor.connection().request(
          `${API}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
          JSON.stringify({
            stream_name: stream,
            config: { durable_name: durable, filter_subject: never, ack_policy: 'explicit' },
          }),
          { timeout: REFUSED_PUBLISH_TIMEOUT_MS },
        ),
        `${API}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
      );
      await expectApiRefused(
        jsm.consumers.delete(stream, durable),
        `${API}.CONSUMER.DELETE.${stream}.${durable}`,
      );
      // jira-resolver still reads incident.detected through it.
      const resolver = await (await busAs('jira-resolver')).jetstreamManager();
      expect((await resolver.consumers.info(stream, durable)).config.filter_subject).toBe(
        consumerWireFilter(mapper, CONSUMERS[durable].filter),
      );
    });

    it('refuses every agent and the CLI each change; each still verifies, pulls its own durable and uses its buckets', async () => {
      const stream = mapper.stream();
      for (const user of [...AGENT_NAMES, 'cli'] as const) {
        const bus = await busAs(user);
        const jsm = await bus.jetstreamManager();
        const info = await jsm.streams.info(stream);
        await expectApiRefused(
          jsm.streams.update(stream, { ...info.config, max_msgs: 1 }),
          `${API}.STREAM.UPDATE.${stream}`,
        );
        await expectApiRefused(jsm.streams.delete(stream), `${API}.STREAM.DELETE.${stream}`);
        const other = user === 'atlas' ? 'demo-controller-incidents' : 'atlas-ledger';
        await expectApiRefused(
          jsm.consumers.delete(stream, other),
          `${API}.CONSUMER.DELETE.${stream}.${other}`,
        );
        await expectApiRefused(
          jsm.consumers.add(stream, {
            durable_name: other,
            filter_subject: mapper.toWire('report.never-fires'),
            ack_policy: AckPolicy.Explicit,
          }),
          `${API}.CONSUMER.CREATE.${stream}.${other}.${mapper.toWire('report.never-fires')}`,
        );
        // Its own durables too: provisioning is not its job.
        for (const own of BUS_GRANTS[user].consumes) {
          const home = consumerStream(mapper, CONSUMERS[own]);
          await expectApiRefused(
            jsm.consumers.delete(home, own),
            `${API}.CONSUMER.DELETE.${home}.${own}`,
          );
        }
        // What it does need: verify, pull, its buckets.
        expect(
          await missingTopology(jsm, bus.subjects, { durables: BUS_GRANTS[user].consumes }),
        ).toEqual([]);
        const own = BUS_GRANTS[user].consumes[0];
        if (own !== undefined) {
          const consumer = await bus
            .jetstream()
            .consumers.get(consumerStream(mapper, CONSUMERS[own]), own);
          const batch = await consumer.fetch({ max_messages: 10, expires: 1_000 });
          for await (const message of batch) message.nak();
        }
        const kv = new KvFactory(bus);
        for (const [bucket, access] of Object.entries(BUS_GRANTS[user].buckets)) {
          const view = await kv.raw(bucket as (typeof KV_BUCKETS)[keyof typeof KV_BUCKETS]);
          await view.get('probe');
          if (access === 'write') await view.put(`probe-${user}`, new TextEncoder().encode('{}'));
        }
      }
    });
  });
});
