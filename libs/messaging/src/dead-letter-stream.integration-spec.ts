import { Logger } from '@nestjs/common';
import {
  type DeadLetterEvent,
  type DeadLetterKind,
  type EventPayloads,
  parseEvent,
} from '@opscrew/contracts';
import { type JetStreamManager, nanos } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { type ConsumerHandle } from './consumer-loop';
import { type ConsumerMetrics } from './consumer-metrics';
import { EventPublisher } from './event-publisher.service';
import { type NatsConnectionService } from './nats-connection.service';
import { eventually, openTestBus, removeTestTopology } from './testing/integration-bus';
import { CrewConsumers } from './testing/crew-consumers';
import { testNamespace } from './testing/test-namespace';
import { DEAD_LETTER_STREAM_LIMITS } from './topology';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

/** Counts what the consumers report, like an agent's /metrics does. */
class CountingMetrics implements ConsumerMetrics {
  readonly counts = new Map<string, { total: number; unstored: number }>();

  deadLettered(consumer: string, kind: DeadLetterKind, stored: boolean): void {
    const key = `${consumer}/${kind}`;
    const entry = this.counts.get(key) ?? { total: 0, unstored: 0 };
    entry.total += 1;
    if (!stored) entry.unstored += 1;
    this.counts.set(key, entry);
  }
}

const detected = (n: number): EventPayloads['incident.detected'] => ({
  incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
  fingerprint: `cart:high_error_rate:${n}`,
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  value: 0.3,
  detected_at: new Date().toISOString(),
});

/** Every dead letter stored on the logical subject `logical` in `stream`. */
async function readAll(
  jsm: JetStreamManager,
  bus: NatsConnectionService,
  stream: string,
  logical: string,
): Promise<DeadLetterEvent[]> {
  const wire = bus.subjects.anyPublisher(logical);
  const info = await jsm.streams.info(stream, { subjects_filter: wire });
  const count = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  if (count === 0) return [];
  const consumer = await bus.jetstream().consumers.get(stream, { filterSubjects: wire });
  const out: DeadLetterEvent[] = [];
  for (let i = 0; i < count; i++) {
    const message = await consumer.next({ expires: 2_000 });
    if (!message) break;
    const parsed = parseEvent(logical, message.data);
    if (parsed.ok) out.push(parsed.event as DeadLetterEvent);
  }
  await consumer.delete();
  return out;
}

describe('dead letters live in their own bounded stream', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let jsm: JetStreamManager;
  const metrics = new CountingMetrics();
  let consumers: CrewConsumers;
  const handles: ConsumerHandle[] = [];

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace));
    jsm = await bus.jetstreamManager();
    // Each consumer as its owner runs it: dead letters go out as that user.
    consumers = new CrewConsumers(bus, metrics);
  });

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.stop()));
  });

  afterAll(async () => {
    await consumers.stopAll();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('is provisioned with its limits (discard old), and the event stream no longer captures deadletter.>', async () => {
    const dl = await jsm.streams.info(bus.subjects.deadLetterStream());
    expect(dl.config).toMatchObject({
      name: `DEADLETTERS_${namespace}`,
      subjects: [`${namespace}.deadletter.>`],
      storage: 'file',
      retention: 'limits',
      discard: 'old',
      max_msgs: DEAD_LETTER_STREAM_LIMITS.max_msgs,
      max_bytes: DEAD_LETTER_STREAM_LIMITS.max_bytes,
      max_msg_size: DEAD_LETTER_STREAM_LIMITS.max_msg_size,
      max_age: nanos(DEAD_LETTER_STREAM_LIMITS.max_age_ms),
    });
    const events = await jsm.streams.info(bus.subjects.stream());
    expect(events.config.subjects).not.toContain(`${namespace}.deadletter.>`);
  });

  it('stores the records there (not in OPS), atlas-deadletters reads them, and they are counted', async () => {
    const js = bus.jetstream();
    // Sent by a user allowed to publish incident.detected: only the payload is wrong.
    const wire = bus.subjects.toPublishWire('incident.detected', 'ops-monitor');
    const badJson = await js.publish(wire, new TextEncoder().encode('{"incident_id": '));
    const offContract = await js.publish(
      wire,
      new TextEncoder().encode(JSON.stringify({ ...detected(1), severity: 'urgent' })),
    );
    const valid = await new EventPublisher(bus, 'ops-monitor').publish(
      'incident.detected',
      detected(2),
    );
    const handled: number[] = [];
    handles.push(
      await consumers.consume('atlas-ledger', (_event, meta) => void handled.push(meta.seq)),
    );
    await eventually(() => handled.includes(valid.seq));

    const letters: DeadLetterEvent[] = [];
    handles.push(await consumers.consume('atlas-deadletters', (event) => void letters.push(event)));
    await eventually(() => letters.length >= 2);
    const bySeq = new Map(letters.map((letter) => [letter.stream_seq, letter]));
    expect(bySeq.get(badJson.seq)).toMatchObject({
      consumer: 'atlas-ledger',
      kind: 'invalid_json',
      raw: '{"incident_id": ',
    });
    expect(bySeq.get(offContract.seq)).toMatchObject({ consumer: 'atlas-ledger', kind: 'schema' });

    const inEvents = await jsm.streams.info(bus.subjects.stream(), {
      subjects_filter: bus.subjects.toWire('deadletter.>'),
    });
    expect(inEvents.state.subjects ?? {}).toEqual({});
    expect(metrics.counts.get('atlas-ledger/invalid_json')).toEqual({ total: 1, unstored: 0 });
    expect(metrics.counts.get('atlas-ledger/schema')).toEqual({ total: 1, unstored: 0 });
  });

  it('keeps a flood of the same mistake to a few records and one summary that counts the rest', async () => {
    const nc = bus.connection();
    // Sent by a user allowed to publish incident.detected: only the payload is wrong.
    const wire = bus.subjects.toPublishWire('incident.detected', 'ops-monitor');
    const flood = 60;
    for (let i = 0; i < flood; i++) {
      nc.publish(
        wire,
        new TextEncoder().encode(JSON.stringify({ ...detected(100 + i), severity: 'apocalyptic' })),
      );
    }
    await nc.flush();
    // jira-resolver-incidents starts at the stream's beginning: it also meets the off-contract
    // incident of the previous test, the same kind on the same subject.
    const schemaErrors = flood + 1;
    handles.push(
      await consumers.consume('jira-resolver-incidents', () => undefined, {
        sampling: { window_ms: 500, stored_per_window: 5 },
      }),
    );
    await eventually(
      () => metrics.counts.get('jira-resolver-incidents/schema')?.total === schemaErrors,
    );
    // The window's summary goes out with the flush timer (or at stop, at the latest).
    await Promise.all(handles.splice(0).map((handle) => handle.stop()));
    const records = await readAll(
      jsm,
      bus,
      bus.subjects.deadLetterStream(),
      'deadletter.jira-resolver-incidents',
    );
    const schema = records.filter((r) => r.kind === 'schema');
    const full = schema.filter((r) => r.suppressed === undefined);
    const summaries = schema.filter((r) => r.suppressed !== undefined);
    expect(full).toHaveLength(5);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.reduce((sum, r) => sum + (r.suppressed ?? 0), 0)).toBe(schemaErrors - 5);
    expect(summaries.every((r) => r.raw.includes('apocalyptic'))).toBe(true);
    expect(metrics.counts.get('jira-resolver-incidents/schema')?.unstored).toBe(schemaErrors - 5);
    const pending = await jsm.consumers.info(bus.subjects.stream(), 'jira-resolver-incidents');
    expect(pending.num_pending + pending.num_ack_pending).toBe(0);
  });
});
