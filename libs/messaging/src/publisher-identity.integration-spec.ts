import { Logger } from '@nestjs/common';
import {
  buildEvent,
  type DeadLetterEvent,
  type DeadLetterKind,
  type EventPayloads,
  type IncidentDetectedEvent,
} from '@opscrew/contracts';
import { type NatsError } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { type BusUser } from './bus-user';
import { type ConsumerHandle, type MessageMeta } from './consumer-loop';
import { type ConsumerMetrics } from './consumer-metrics';
import { EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { type SenderMismatch } from './sender-audit';
import { SubjectMapper } from './subject-mapper';
import {
  type AuthenticatedNatsServer,
  startAuthenticatedNatsServer,
} from './testing/authenticated-nats-server';
import { CrewConsumers } from './testing/crew-consumers';
import { eventually, openTestBus, removeTestTopology } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { provisionAll } from './topology.provisioner';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** The case: shipping is healthy; a forged detection claims ops-monitor saw it fail. */
const shippingDown = (n: number): EventPayloads['incident.detected'] => ({
  incident_id: `INC-20261206-${String(n).padStart(3, '0')}`,
  fingerprint: 'shipping:high_error_rate',
  service: 'shipping',
  symptom: 'high_error_rate',
  severity: 'critical',
  value: 0.9,
  detected_at: new Date().toISOString(),
});

class CountingMetrics implements ConsumerMetrics {
  readonly counts = new Map<string, number>();
  deadLettered(consumer: string, kind: DeadLetterKind): void {
    const key = `${consumer}/${kind}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** Every dead letter stored on the bus (a small test stream), parsed. */
async function deadLetters(bus: NatsConnectionService): Promise<DeadLetterEvent[]> {
  const jsm = await bus.jetstreamManager();
  const stream = bus.subjects.deadLetterStream();
  const { state } = await jsm.streams.info(stream);
  const out: DeadLetterEvent[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    out.push((await jsm.streams.getMessage(stream, { seq })).json<DeadLetterEvent>());
  }
  return out;
}

/**
 * A forged event as a plain NATS client sends it: valid JSON on the contract, `source` claiming
 * ops-monitor, published on whatever subject the forger chose.
 */
async function publishForged(bus: NatsConnectionService, wire: string, n: number): Promise<number> {
  const event = buildEvent('incident.detected', shippingDown(n), 'ops-monitor', {
    id: `forged-${n}`,
  });
  const ack = await bus
    .jetstream()
    .publish(wire, new TextEncoder().encode(JSON.stringify(event)), { msgID: event.id });
  return ack.seq;
}

describe('who sent an event is the publishing user, not the payload (open server)', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  const metrics = new CountingMetrics();
  const audited: SenderMismatch[] = [];
  let consumers: CrewConsumers;
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace));
    consumers = new CrewConsumers(bus, metrics, {
      senderMismatch: (mismatch) => {
        audited.push(mismatch);
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.stop()));
    await consumers.stopAll();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('dead-letters a forged incident.detected (source ops-monitor) as source_mismatch, audited, and only the genuine one reaches jira-resolver', async () => {
    // Forged on another user's subject, and unattributed (a bare subject).
    const asReporter = await publishForged(
      bus,
      bus.subjects.toPublishWire('incident.detected', 'reporter'),
      1,
    );
    const asDemo = await publishForged(
      bus,
      bus.subjects.toPublishWire('incident.detected', 'demo-controller'),
      2,
    );
    const bare = await publishForged(bus, bus.subjects.toWire('incident.detected'), 3);
    // jira-resolver may publish incident.detected (its ticket poller), but not in ops-monitor's name.
    const claimed = await publishForged(
      bus,
      bus.subjects.toPublishWire('incident.detected', 'jira-resolver'),
      4,
    );
    const genuine = await new EventPublisher(bus, 'ops-monitor').publish(
      'incident.detected',
      shippingDown(5),
    );

    const resolver: { event: IncidentDetectedEvent; meta: MessageMeta }[] = [];
    const ledger: string[] = [];
    handles.push(
      await consumers.consume('jira-resolver-incidents', (event, meta) => {
        resolver.push({ event, meta });
      }),
      await consumers.consume('atlas-ledger', (event) => void ledger.push(event.id)),
    );
    await eventually(async () => (await deadLetters(bus)).length >= 7);
    await eventually(() => resolver.length >= 1 && ledger.length >= 1);

    // Only the genuine detection was handled, with its verified publisher.
    expect(resolver.map(({ event, meta }) => [event.id, meta.publisher])).toEqual([
      [genuine.event.id, 'ops-monitor'],
    ]);
    expect(ledger).toEqual([genuine.event.id]);

    const letters = await deadLetters(bus);
    const kinds = (consumer: string) =>
      letters
        .filter((letter) => letter.consumer === consumer)
        .map((letter) => [letter.stream_seq, letter.kind])
        .sort((a, b) => Number(a[0]) - Number(b[0]));
    // jira-resolver's filter (`incident.detected.*`) never even delivers the bare one.
    expect(kinds('jira-resolver-incidents')).toEqual([
      [asReporter, 'source_mismatch'],
      [asDemo, 'source_mismatch'],
      [claimed, 'source_mismatch'],
    ]);
    expect(kinds('atlas-ledger')).toEqual([
      [asReporter, 'source_mismatch'],
      [asDemo, 'source_mismatch'],
      [bare, 'source_mismatch'],
      [claimed, 'source_mismatch'],
    ]);
    const reasons = new Map(
      letters
        .filter((letter) => letter.consumer === 'jira-resolver-incidents')
        .map((letter) => [letter.stream_seq, letter.reason]),
    );
    expect(reasons.get(asReporter)).toBe(
      'incident.detected: published by reporter, which does not publish it (BUS_GRANTS); claims source "ops-monitor"',
    );
    expect(reasons.get(claimed)).toBe(
      'incident.detected: claims source "ops-monitor" but was published by jira-resolver',
    );
    // Each record written by the consumer's owner, on its own subject.
    expect(
      letters.every((letter) =>
        letter.consumer === 'atlas-ledger'
          ? letter.source === 'atlas'
          : letter.source === 'jira-resolver',
      ),
    ).toBe(true);
    expect(metrics.counts.get('jira-resolver-incidents/source_mismatch')).toBe(3);
    expect(metrics.counts.get('atlas-ledger/source_mismatch')).toBe(4);

    // And audited: subject, claimed source, actual publisher, sequence.
    const byConsumer = (consumer: string): [number, string, BusUser | null][] =>
      audited
        .filter((entry) => entry.consumer === consumer)
        .map((entry): [number, string, BusUser | null] => [
          entry.seq,
          entry.claimed,
          entry.publisher,
        ])
        .sort((a, b) => a[0] - b[0]);
    expect(byConsumer('jira-resolver-incidents')).toEqual([
      [asReporter, 'ops-monitor', 'reporter'],
      [asDemo, 'ops-monitor', 'demo-controller'],
      [claimed, 'ops-monitor', 'jira-resolver'],
    ]);
    expect(byConsumer('atlas-ledger')).toEqual([
      [asReporter, 'ops-monitor', 'reporter'],
      [asDemo, 'ops-monitor', 'demo-controller'],
      [bare, 'ops-monitor', null],
      [claimed, 'ops-monitor', 'jira-resolver'],
    ]);
    expect(audited.every((entry) => entry.subject === 'incident.detected')).toBe(true);

    const jsm = await bus.jetstreamManager();
    for (const durable of ['jira-resolver-incidents', 'atlas-ledger']) {
      await eventually(async () => {
        const info = await jsm.consumers.info(bus.subjects.stream(), durable);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      });
    }
  });
});

/**
 * With the generated users (deploy/nats/nats.conf) the publisher token is a proof: the server
 * refuses a user publishing on another's subject.
 */
describe('who sent an event: the server enforces the publisher token (generated users)', () => {
  const mapper = new SubjectMapper(testNamespace(), 'OPS');
  let server: AuthenticatedNatsServer;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    server = await startAuthenticatedNatsServer(mapper, process.env);
    // Provisioning is the admin's step (`opscrew bus provision`); agents only verify.
    const bus = await server.busAs('admin');
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
  });

  afterAll(async () => {
    await server.stop();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  /** Sequence and subject of what a durable holds, pulled (and acked) as a user that owns it. */
  async function pull(
    bus: NatsConnectionService,
    stream: string,
    durable: string,
  ): Promise<[number, string][]> {
    const consumer = await bus.jetstream().consumers.get(stream, durable);
    const batch = await consumer.fetch({ max_messages: 16, expires: 2_000 });
    const out: [number, string][] = [];
    for await (const message of batch) {
      out.push([message.seq, message.subject]);
      message.ack();
    }
    return out;
  }

  /** A JetStream publish the server refuses: a permissions violation naming the subject. */
  async function refused(bus: NatsConnectionService, subject: string): Promise<NatsError | null> {
    const event = buildEvent('incident.detected', shippingDown(9), 'ops-monitor');
    return bus
      .jetstream()
      .publish(subject, new TextEncoder().encode(JSON.stringify(event)), { timeout: 1_500 })
      .then(
        () => null,
        (err: unknown) => err as NatsError,
      );
  }

  it('refuses ops-monitor publishing on jira-resolver’s subject, accepts its own', async () => {
    const monitor = await server.busAs('ops-monitor');
    const forged = mapper.toPublishWire('incident.detected', 'jira-resolver');
    const error = await refused(monitor, forged);
    expect(error?.code).toBe('PERMISSIONS_VIOLATION');
    expect(error?.message).toContain(`Permissions Violation for Publish to "${forged}"`);
    // Neither bare (unattributed) nor as the reporter.
    for (const subject of [
      mapper.toWire('incident.detected'),
      mapper.toPublishWire('incident.detected', 'reporter'),
    ])
      expect((await refused(monitor, subject))?.code).toBe('PERMISSIONS_VIOLATION');

    const own = await new EventPublisher(monitor, 'ops-monitor').publish(
      'incident.detected',
      shippingDown(10),
    );
    expect(own.seq).toBeGreaterThan(0);
    // Stored on ops-monitor's own subject: atlas pulls it from its ledger durable.
    expect(await pull(await server.busAs('atlas'), mapper.stream(), 'atlas-ledger')).toEqual([
      [own.seq, mapper.toPublishWire('incident.detected', 'ops-monitor')],
    ]);
  });

  it('lets the reporter publish incident.reported bare or as itself, and nothing in a crew member’s name', async () => {
    const reporter = await server.busAs('reporter');
    const report = {
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.3,
      reporter: 'billing-probe',
    } as const;
    expect(
      (await new EventPublisher(reporter, 'external').publish('incident.reported', report)).seq,
    ).toBeGreaterThan(0);
    expect(
      (
        await new EventPublisher(reporter, 'external', 'reporter').publish(
          'incident.reported',
          report,
        )
      ).seq,
    ).toBeGreaterThan(0);
    for (const subject of [
      mapper.toPublishWire('incident.reported', 'ops-monitor'),
      mapper.toPublishWire('incident.detected', 'reporter'),
      mapper.toPublishWire('incident.detected', 'ops-monitor'),
    ])
      expect((await refused(reporter, subject))?.code).toBe('PERMISSIONS_VIOLATION');
  });

  it('jira-resolver, running as its user, handles ops-monitor’s detection and dead-letters one a permitted publisher sent in ops-monitor’s name', async () => {
    const resolverBus = await server.busAs('jira-resolver');
    // A jira-resolver process (permitted on incident.detected for hand-filed tickets) lying about
    // who it is: the server lets it publish on its own subject; the consumers catch the claim.
    const event = buildEvent('incident.detected', shippingDown(11), 'ops-monitor', {
      id: 'lying-11',
    });
    const lie = await resolverBus
      .jetstream()
      .publish(
        mapper.toPublishWire('incident.detected', 'jira-resolver'),
        new TextEncoder().encode(JSON.stringify(event)),
        { msgID: event.id },
      );
    const audited: SenderMismatch[] = [];
    const consumers = new CrewConsumers(resolverBus, undefined, {
      senderMismatch: (mismatch) => {
        audited.push(mismatch);
        return Promise.resolve();
      },
    });
    const handled: [string, BusUser | null][] = [];
    const handle = await consumers.consume('jira-resolver-incidents', (incident, meta) => {
      handled.push([incident.id, meta.publisher]);
    });
    try {
      // The earlier test's genuine detection (ops-monitor's own subject) and this lie.
      await eventually(() => handled.length >= 1 && audited.length >= 1);
      expect(handled.map(([, publisher]) => publisher)).toEqual(['ops-monitor']);
      expect(audited).toEqual([
        expect.objectContaining({
          consumer: 'jira-resolver-incidents',
          seq: lie.seq,
          claimed: 'ops-monitor',
          publisher: 'jira-resolver',
        }),
      ]);
      // Its dead letter went out as jira-resolver, which the server allows; atlas reads it.
      const atlas = await server.busAs('atlas');
      const letters: [number, string][] = [];
      await eventually(async () => {
        letters.push(...(await pull(atlas, mapper.deadLetterStream(), 'atlas-deadletters')));
        return letters.length >= 1;
      });
      expect(letters.map(([, subject]) => subject)).toEqual([
        mapper.toPublishWire('deadletter.jira-resolver-incidents', 'jira-resolver'),
      ]);
    } finally {
      await handle.stop();
      await consumers.stopAll();
    }
  });
});
