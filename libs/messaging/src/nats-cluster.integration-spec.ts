import { Logger } from '@nestjs/common';
import { BUCKET_NAMES, type EventPayloads } from '@opscrew/contracts';
import { eventually, jestTimeout, LocalNatsCluster, scaledTimeout } from '@opscrew/testing';
import { connect, type KV, type NatsConnection } from 'nats';
import { type ConsumerHandle } from './consumer-loop';
import { EventPublisher } from './event-publisher.service';
import { NatsConnectionService } from './nats-connection.service';
import { SubjectMapper } from './subject-mapper';
import { type BusUser } from './bus-user';
import { CrewConsumers } from './testing/crew-consumers';
import { testBusOptions } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { TypedKv } from './typed-kv';
import { bucketStreamName, provisionAll } from './topology.provisioner';

/**
 * The crew's topology on a real three-node JetStream cluster at three copies (bus.replicas 3):
 * a SIGKILLed node (the events stream's leader, the worst one to lose) stops nothing for long
 * and loses nothing; it catches up when it comes back; the whole cluster restarted from disk
 * still holds every event and every KV value. Every node is a process this spec starts and
 * stops by PID (LocalNatsCluster), on 127.0.0.1 ports of its own.
 */
jest.setTimeout(jestTimeout(240_000));

const REPLICAS = 3;
/** Events published in each phase: before the kill, during the outage, after the restart. */
const PER_PHASE = 15;
/** The bounded wait for the bus to work again after a node dies (leader elections take seconds). */
const RECOVERY_MS = 30_000;

const counterSchema = {
  validate: (raw: unknown) =>
    typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
      ? ({ ok: true, value: raw } as const)
      : ({ ok: false, reason: 'must be a non-negative integer' } as const),
};

let counter = 0;
const incident = (): EventPayloads['incident.detected'] => {
  counter += 1;
  return {
    incident_id: `INC-20260101-${String(counter).padStart(3, '0')}`,
    fingerprint: `checkout:high_error_rate:${counter}`,
    service: 'checkout',
    symptom: 'high_error_rate',
    severity: 'high',
    value: 0.3,
    detected_at: new Date().toISOString(),
  };
};

/** Retries `attempt` until it succeeds or the (scaled) deadline passes; returns its value and how long it took. */
async function untilItWorks<T>(
  what: string,
  attempt: () => Promise<T>,
  timeoutMs = RECOVERY_MS,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const deadline = started + scaledTimeout(timeoutMs);
  for (;;) {
    try {
      return { value: await attempt(), ms: Date.now() - started };
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`${what} still failing after ${Date.now() - started} ms: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** What one node's monitoring port says about a stream it holds (its own copy). */
async function copyOnNode(
  cluster: LocalNatsCluster,
  index: number,
  stream: string,
): Promise<{ messages: number; lastSeq: number } | null> {
  const port = cluster.nodes[index]?.monitorPort ?? 0;
  const reply = (await (
    await fetch(`http://127.0.0.1:${port}/jsz?accounts=true&streams=true`)
  ).json()) as {
    account_details?: Array<{
      stream_detail?: Array<{ name: string; state: { messages: number; last_seq: number } }>;
    }>;
  };
  for (const account of reply.account_details ?? []) {
    for (const detail of account.stream_detail ?? []) {
      if (detail.name === stream) {
        return { messages: detail.state.messages, lastSeq: detail.state.last_seq };
      }
    }
  }
  return null;
}

describe('the crew on a three-node NATS JetStream cluster (R3)', () => {
  const namespace = testNamespace();
  let cluster: LocalNatsCluster;
  let bus: NatsConnectionService;
  let publisher: EventPublisher;
  let consumers: CrewConsumers;
  let handle: ConsumerHandle | undefined;
  let kv: TypedKv<number>;
  const KEY = 'cluster-cas';
  /** Ids the server acknowledged (a publish that failed is not counted as published). */
  const published = new Set<string>();
  /** Ids the crew's consumer handled. */
  const consumed = new Set<string>();
  /** The counter's value after each acknowledged CAS increment. */
  let increments = 0;

  const publishOne = async (): Promise<void> => {
    const result = await publisher.publish('incident.detected', incident());
    published.add(result.event.id);
  };
  const incrementOnce = async (): Promise<void> => {
    const out = await kv.mutate(KEY, (current) => {
      const next = (current?.value ?? 0) + 1;
      return { put: next, result: next };
    });
    increments = out.result;
  };
  const everyPublishedConsumed = (): boolean => [...published].every((id) => consumed.has(id));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    cluster = await LocalNatsCluster.start({ nodes: 3 });
    bus = new NatsConnectionService({
      ...testBusOptions(cluster.servers()[0] ?? '', namespace, 'cluster-spec'),
      servers: cluster.servers(),
      replicas: REPLICAS,
      // Wait through a node's loss rather than give up (the default of a real agent).
      reconnect: { initial_delay_ms: 100, max_delay_ms: 500 },
    });
    await bus.connect();
  }, jestTimeout(60_000));

  afterAll(async () => {
    await handle?.stop().catch(() => undefined);
    await consumers?.stopAll().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    // Every node this spec started, by PID, then the temp dir: even when a test failed.
    await cluster?.cleanup();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }, jestTimeout(30_000));

  it('provisions the streams and every KV bucket with three copies, one per node', async () => {
    const jsm = await bus.jetstreamManager();
    const report = await provisionAll(jsm, bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
      replicas: bus.options.replicas,
    });
    expect(report.stream.action).toBe('created');
    const streams = [
      bus.subjects.stream(),
      bus.subjects.deadLetterStream(),
      ...BUCKET_NAMES.map((name) => bucketStreamName(bus.subjects.bucket(name))),
    ];
    for (const name of streams) {
      const info = await jsm.streams.info(name);
      expect([name, info.config.num_replicas]).toEqual([name, REPLICAS]);
      // A leader and two followers: three distinct nodes.
      const holders = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)];
      expect([name, new Set(holders).size]).toEqual([name, REPLICAS]);
    }
    // A second run finds everything as declared.
    const again = await provisionAll(jsm, bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
      replicas: REPLICAS,
    });
    expect(again.buckets.every((item) => item.action === 'unchanged')).toBe(true);
    expect(again.stream.action).toBe('unchanged');

    publisher = new EventPublisher(bus, 'ops-monitor');
    consumers = new CrewConsumers(bus);
    const rawKv: KV = await bus.jetstream().views.kv(bus.subjects.bucket('sequences'), {
      bindOnly: true,
    });
    kv = new TypedKv(rawKv, 'sequences', counterSchema);
    handle = await consumers.consume('jira-resolver-incidents', (event) => {
      consumed.add(event.id);
    });
  });

  it('scales an existing one-copy topology to three in place (durables follow) and names bus.replicas past the node count', async () => {
    const mapper = new SubjectMapper(`${namespace}s`, 'OPS');
    const jsm = await bus.jetstreamManager();
    const options = { duplicate_window_ms: bus.options.duplicate_window_ms };
    await provisionAll(jsm, mapper, { ...options, replicas: 1 });
    const scaled = await provisionAll(jsm, mapper, { ...options, replicas: REPLICAS });
    expect(scaled.stream.changes).toEqual(['num_replicas 1 → 3']);
    expect(scaled.buckets.map((item) => item.changes)).toEqual(
      BUCKET_NAMES.map(() => ['num_replicas 1 → 3']),
    );
    // A leader and two current followers once the new copies have caught up.
    await eventually(async () => {
      const { cluster: placement } = await jsm.streams.info(mapper.stream());
      const followers = (placement?.replicas ?? []).filter(
        (peer) => peer.name !== placement?.leader,
      );
      return followers.length === REPLICAS - 1 && followers.every((peer) => peer.current);
    });
    // A durable declares no count of its own: it follows its stream to three copies.
    await eventually(async () => {
      const durable = await jsm.consumers.info(mapper.stream(), 'jira-resolver-incidents');
      const followers = (durable.cluster?.replicas ?? []).filter(
        (peer) => peer.name !== durable.cluster?.leader,
      );
      return followers.length === REPLICAS - 1;
    });
    await expect(provisionAll(jsm, mapper, { ...options, replicas: 5 })).rejects.toThrow(
      /the server refused 5 replicas \(.+\); bus\.replicas must not exceed the number of JetStream nodes/,
    );
  });

  it('keeps publishing, consuming and KV CAS through a SIGKILL of the stream leader, losing nothing', async () => {
    for (let i = 0; i < PER_PHASE; i++) await publishOne();
    for (let i = 0; i < 5; i++) await incrementOnce();
    await eventually(everyPublishedConsumed, 30_000);

    const jsm = await bus.jetstreamManager();
    const leader = (await jsm.streams.info(bus.subjects.stream())).cluster?.leader;
    const victim = cluster.nodes.findIndex((node) => node.name === leader);
    expect(victim).toBeGreaterThanOrEqual(0);
    await cluster.killNode(victim);
    const killedAt = Date.now();
    expect(cluster.isRunning(victim)).toBe(false);

    // The first publish after the kill: retried until the survivors elect a new stream leader.
    const { ms: publishRecoveryMs } = await untilItWorks('publish after the kill', publishOne);
    const { ms: casRecoveryMs } = await untilItWorks('KV CAS after the kill', incrementOnce);
    // The figure for docs and the report (no assertion on speed: bench/ owns that).
    process.stdout.write(
      `nats cluster: publish worked again ${publishRecoveryMs} ms after the SIGKILL of ${leader}; KV CAS ${casRecoveryMs} ms after that\n`,
    );

    // The rest of the outage: one node down, everything still works.
    for (let i = 1; i < PER_PHASE; i++) await publishOne();
    for (let i = 0; i < 4; i++) await incrementOnce();
    expect(published.size).toBe(2 * PER_PHASE);
    expect(increments).toBe(10);
    // Consuming continues: every event acknowledged before and during the outage is handled.
    await eventually(everyPublishedConsumed, RECOVERY_MS);
    process.stdout.write(
      `nats cluster: every event of the outage consumed ${Date.now() - killedAt} ms after the SIGKILL\n`,
    );
    expect(await kv.get(KEY)).toMatchObject({ value: 10 });
    const info = await jsm.streams.info(bus.subjects.stream());
    expect(info.state.messages).toBe(published.size);
  });

  it('brings the killed node back: it catches up with everything published while it was down', async () => {
    const victim = cluster.nodes.findIndex((node) => !cluster.isRunning(node.index));
    expect(victim).toBeGreaterThanOrEqual(0);
    await cluster.restartNode(victim);
    const stream = bus.subjects.stream();
    const jsm = await bus.jetstreamManager();
    const lastSeq = (await jsm.streams.info(stream)).state.last_seq;
    // Its own copy, as its own monitoring port reports it: every message, up to the last one.
    await eventually(async () => {
      const copy = await copyOnNode(cluster, victim, stream).catch(() => null);
      return copy !== null && copy.lastSeq === lastSeq && copy.messages === published.size;
    }, RECOVERY_MS);
    const kvStream = bucketStreamName(bus.subjects.bucket('sequences'));
    const kvLast = (await jsm.streams.info(kvStream)).state.last_seq;
    await eventually(async () => {
      const copy = await copyOnNode(cluster, victim, kvStream).catch(() => null);
      return copy !== null && copy.lastSeq === kvLast;
    }, RECOVERY_MS);

    for (let i = 0; i < PER_PHASE; i++) await untilItWorks('publish', publishOne);
    await untilItWorks('KV CAS', incrementOnce);
    await eventually(everyPublishedConsumed, RECOVERY_MS);
    expect(increments).toBe(11);
  });

  it('restarts the whole cluster from disk with every event and every KV value still there', async () => {
    await handle?.stop();
    handle = undefined;
    await consumers.stopAll();
    await bus.close();
    await cluster.stopAll();
    expect(cluster.nodes.every((node) => !cluster.isRunning(node.index))).toBe(true);
    await cluster.restartAll();

    const nc: NatsConnection = await connect({ servers: cluster.servers() });
    try {
      const stream = bus.subjects.stream();
      const js = nc.jetstream();
      // Every event id, read back from the stream in order (an ordered consumer of its own).
      const { value: ids } = await untilItWorks('reading the stream back', async () => {
        const reader = await js.consumers.get(stream);
        const seen = new Set<string>();
        const messages = await reader.fetch({ max_messages: published.size + 10, expires: 5_000 });
        for await (const message of messages) {
          seen.add(message.json<{ id: string }>().id);
          if (seen.size === published.size) break;
        }
        if (seen.size !== published.size) throw new Error(`read ${seen.size} of ${published.size}`);
        return seen;
      });
      expect([...published].filter((id) => !ids.has(id))).toEqual([]);
      expect(ids.size).toBe(3 * PER_PHASE);

      const { value: entry } = await untilItWorks('reading the KV value back', async () => {
        const bucket = await js.views.kv(bus.subjects.bucket('sequences'), { bindOnly: true });
        const found = await bucket.get(KEY);
        if (found === null) throw new Error('no entry');
        return found;
      });
      expect(entry.json()).toBe(increments);
      // Every bucket is still there at three copies.
      const jsm = await nc.jetstreamManager();
      for (const name of BUCKET_NAMES) {
        const info = await untilItWorks(`bucket ${name}`, () =>
          jsm.streams.info(bucketStreamName(bus.subjects.bucket(name))),
        );
        expect([name, info.value.config.num_replicas]).toEqual([name, REPLICAS]);
      }
    } finally {
      await nc.close();
    }
  });
});

describe("the crew's own NATS users on the cluster (per-agent permissions, R3)", () => {
  const namespace = testNamespace();
  let cluster: LocalNatsCluster | undefined;
  const buses: NatsConnectionService[] = [];
  let consumers: CrewConsumers | undefined;

  beforeAll(() => {
    Logger.overrideLogger(['error']);
  });

  afterAll(async () => {
    await consumers?.stopAll().catch(() => undefined);
    await Promise.all(buses.map((bus) => bus.close().catch(() => undefined)));
    await cluster?.cleanup();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }, jestTimeout(30_000));

  it('admin provisions at three copies; ops-monitor publishes and CASes and jira-resolver consumes through a node kill', async () => {
    const mapper = new SubjectMapper(namespace, 'OPS');
    const started = await LocalNatsCluster.start({ auth: 'crew', mapper });
    cluster = started;
    const open = async (user: BusUser): Promise<NatsConnectionService> => {
      const { servers, user: name, pass } = started.connectOptions(user);
      const bus = new NatsConnectionService({
        ...testBusOptions(servers[0] ?? '', namespace, user),
        servers,
        ...(name !== undefined && pass !== undefined ? { user: name, pass } : {}),
        reconnect: { initial_delay_ms: 100, max_delay_ms: 500 },
      });
      await bus.connect();
      buses.push(bus);
      return bus;
    };
    const admin = await open('admin');
    await provisionAll(await admin.jetstreamManager(), admin.subjects, {
      duplicate_window_ms: admin.options.duplicate_window_ms,
      replicas: REPLICAS,
    });
    const monitor = await open('ops-monitor');
    const resolver = await open('jira-resolver');
    const publisher = new EventPublisher(monitor, 'ops-monitor');
    const kv = new TypedKv(
      await monitor.jetstream().views.kv(monitor.subjects.bucket('sequences'), { bindOnly: true }),
      'sequences',
      counterSchema,
    );
    const increment = async (): Promise<number> =>
      (
        await kv.mutate('crew-cas', (current) => {
          const next = (current?.value ?? 0) + 1;
          return { put: next, result: next };
        })
      ).result;
    const published = new Set<string>();
    const consumed = new Set<string>();
    const publishOne = async (): Promise<void> => {
      published.add((await publisher.publish('incident.detected', incident())).event.id);
    };
    consumers = new CrewConsumers(resolver);
    await consumers.consume('jira-resolver-incidents', (event) => {
      consumed.add(event.id);
    });

    for (let i = 0; i < 5; i++) await publishOne();
    expect(await increment()).toBe(1);
    const info = await (await admin.jetstreamManager()).streams.info(admin.subjects.stream());
    const victim = started.nodes.findIndex((node) => node.name === info.cluster?.leader);
    await started.killNode(victim);
    await untilItWorks('publish as ops-monitor after the kill', publishOne);
    for (let i = 0; i < 4; i++) await publishOne();
    const { value: afterKill } = await untilItWorks('KV CAS as ops-monitor', increment);
    expect(afterKill).toBe(2);
    await eventually(() => [...published].every((id) => consumed.has(id)), RECOVERY_MS);
    expect(published.size).toBe(10);
  });
});
