import { type EscalationConfig } from '@opscrew/config';
import { type EscalationRecord, SUBJECTS } from '@opscrew/contracts';
import {
  EventPublisher,
  KvFactory,
  type NatsConnectionService,
  type TypedKv,
} from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout, RecordingAudit, RecordingOutbox } from '@opscrew/testing';
import { openEscalationKv } from './escalation-bucket';
import { type EscalationEventPublisher } from './escalation.ports';
import { EscalationService } from './escalation.service';
import { escalationConfig, RecordingLogger } from './testing';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

/** Compressed chain: L1 1.2 s, L2 2.4 s, L3 1.2 s (the shipped one is 10/30/60 min). */
const CONFIG: EscalationConfig = escalationConfig({ L1: 0.02, L2: 0.04, L3: 0.02 });
/** Each replica ticks this often; "on time" means within one interval of the deadline. */
const TICK_MS = 200;
/**
 * The tick's own time is what a level records as its start; a timer can fire a
 * little late on a busy test machine, so allow that much beyond one interval.
 */
const TIMER_SLACK_MS = 250;

interface Published {
  readonly incident_id: string;
  readonly level: string;
  readonly by: string;
}

/** One jira-resolver replica: its own connection, KV handle, publisher and outbox. */
interface Replica {
  readonly name: string;
  readonly bus: NatsConnectionService;
  readonly kv: TypedKv<EscalationRecord>;
  readonly outbox: RecordingOutbox;
  readonly service: EscalationService;
}

describe('EscalationService on NATS KV with two replicas', () => {
  const namespace = testNamespace();
  const buses: NatsConnectionService[] = [];
  const published: Published[] = [];
  const audit = new RecordingAudit();
  const logger = new RecordingLogger();
  const replicas: Replica[] = [];

  async function replica(name: string): Promise<Replica> {
    const { bus } = await openTestBus(NATS_URL, namespace, `escalation-${name}`);
    buses.push(bus);
    const kv = await openEscalationKv(new KvFactory(bus));
    const real = new EventPublisher(bus, 'jira-resolver');
    const publisher: EscalationEventPublisher = {
      publish: (subject, payload, options) => {
        published.push({ incident_id: payload.incident_id, level: payload.level, by: name });
        return real.publish(subject, payload, options);
      },
    };
    const outbox = new RecordingOutbox();
    const service = new EscalationService({
      kv,
      outbox,
      publisher,
      audit,
      config: CONFIG,
      logger,
    });
    const made = { name, bus, kv, outbox, service };
    replicas.push(made);
    return made;
  }

  /** Levels of the `incident.escalated` messages the stream holds for one incident (a small test stream). */
  async function storedEvents(bus: NatsConnectionService, id: string): Promise<string[]> {
    const jsm = await bus.jetstreamManager();
    const stream = bus.subjects.stream();
    const { state } = await jsm.streams.info(stream);
    const levels: string[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      // Whoever published it (the subject's last token names the publisher).
      if (bus.subjects.fromWire(message.subject)?.logical !== SUBJECTS.incidentEscalated) continue;
      const event = message.json<{ incident_id: string; level: string }>();
      if (event.incident_id === id) levels.push(event.level);
    }
    return levels;
  }

  async function recordOf(kv: TypedKv<EscalationRecord>, id: string): Promise<EscalationRecord> {
    const current = await kv.get(id);
    if (current === null) throw new Error(`no escalation ${id}`);
    return current.value;
  }

  /** Distinct outbox items created across replicas (each outbox is idempotent by key, like the real one). */
  function createdAcross(reps: readonly Replica[]): string[] {
    return reps.flatMap((r) => r.outbox.created).sort();
  }

  const incident = (
    n: number,
  ): {
    incident_id: string;
    service: string;
    symptom: string;
    severity: 'high';
  } => ({
    incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
    service: 'checkout',
    symptom: 'high_error_rate',
    severity: 'high',
  });

  afterAll(async () => {
    for (const r of replicas) await r.service.stop();
    const first = buses[0];
    if (first !== undefined) await removeTestTopology(first);
    for (const bus of buses) await bus.close().catch(() => undefined);
  });

  it('two replicas ticking concurrently: each level exactly once, on time, then exhausted', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const { incident_id: id } = incident(1);
    // Both replicas see the incident (a redelivery, or both consumed it): one record.
    const [openA, openB] = await Promise.all([
      a.service.open(incident(1)),
      b.service.open(incident(1)),
    ]);
    expect([openA.created, openB.created].sort()).toEqual([false, true]);
    const opened = await recordOf(a.kv, id);

    a.service.start(TICK_MS);
    b.service.start(TICK_MS);

    await eventually(async () => (await recordOf(a.kv, id)).level === 'L2', 10_000, 20);
    const l2 = await recordOf(a.kv, id);
    await eventually(async () => (await recordOf(a.kv, id)).exhausted, 15_000, 20);
    const done = await recordOf(b.kv, id);
    // A few more ticks of both replicas: nothing else happens.
    await new Promise((resolve) => setTimeout(resolve, 4 * TICK_MS));
    await a.service.stop();
    await b.service.stop();

    // On time: each level started within one tick interval of its deadline.
    const lateL2 = Date.parse(l2.level_started_at) - Date.parse(opened.deadline_at);
    expect(lateL2).toBeGreaterThanOrEqual(0);
    expect(lateL2).toBeLessThanOrEqual(TICK_MS + TIMER_SLACK_MS);
    const l3Started = done.history.find((h) => h.event === 'escalated' && h.level === 'L3')?.at;
    const lateL3 = Date.parse(l3Started ?? '') - Date.parse(l2.deadline_at);
    expect(lateL3).toBeGreaterThanOrEqual(0);
    expect(lateL3).toBeLessThanOrEqual(TICK_MS + TIMER_SLACK_MS);

    // Exactly once: one publish call per level across both replicas, one stored event per level.
    expect(
      published
        .filter((p) => p.incident_id === id)
        .map((p) => p.level)
        .sort(),
    ).toEqual(['L2', 'L3']);
    expect((await storedEvents(a.bus, id)).sort()).toEqual(['L2', 'L3']);
    // One page per level across both outboxes (created counts distinct deliveries) and no repeats.
    expect(createdAcross([a, b])).toEqual(
      [
        `comment:${id}:escalated:L2`,
        `comment:${id}:escalated:L3`,
        `escalation:${id}:L2`,
        `escalation:${id}:L3`,
        `transition:${id}:escalated`,
      ].sort(),
    );
    const notifyCalls = [...a.outbox.calls, ...b.outbox.calls].filter((c) => c.kind === 'notify');
    expect(notifyCalls).toHaveLength(2);
    // Either replica may have performed either level: compare as a set.
    expect(
      notifyCalls
        .map((c) => (c.kind === 'notify' ? c.notification.mention_roles?.join() : ''))
        .sort(),
    ).toEqual(['oncall-engineer', 'team-lead']);

    expect(done).toMatchObject({ level: 'L3', exhausted: true, state: 'open' });
    expect(done.pending_level).toBeUndefined();
    expect(audit.actions().filter((x) => x.startsWith(id))).toEqual([
      `${id} escalation.L1`,
      `${id} escalation.L2`,
      `${id} escalation.L3`,
      `${id} escalation.exhausted`,
    ]);
    expect(logger.lines.filter((l) => l.includes(id) && l.includes('exhausted'))).toHaveLength(1);
  });

  it('a restart mid-chain: a new instance resumes at the right level and time', async () => {
    const first = await replica('first');
    const { incident_id: id } = incident(2);
    await first.service.open(incident(2));
    first.service.start(TICK_MS);
    await eventually(async () => (await recordOf(first.kv, id)).level === 'L2', 10_000, 20);
    // jira-resolver goes away after paging L2 (its connection too).
    await first.service.stop();
    await first.bus.close();
    const l2 = await recordOf((await replica('observer')).kv, id);
    await new Promise((resolve) => setTimeout(resolve, 800));

    // A new process, later, on the same bucket: no second L2, L3 at L2's deadline.
    const second = await replica('second');
    second.service.start(TICK_MS);
    await eventually(async () => (await recordOf(second.kv, id)).level === 'L3', 10_000, 20);
    await second.service.stop();

    const l3 = await recordOf(second.kv, id);
    const late = Date.parse(l3.level_started_at) - Date.parse(l2.deadline_at);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThanOrEqual(TICK_MS + TIMER_SLACK_MS);
    expect(published.filter((p) => p.incident_id === id)).toEqual([
      { incident_id: id, level: 'L2', by: 'first' },
      { incident_id: id, level: 'L3', by: 'second' },
    ]);
    expect(first.outbox.created).toEqual([
      `transition:${id}:escalated`,
      `comment:${id}:escalated:L2`,
      `escalation:${id}:L2`,
    ]);
    expect(second.outbox.created).toEqual([`comment:${id}:escalated:L3`, `escalation:${id}:L3`]);
    expect((await storedEvents(second.bus, id)).sort()).toEqual(['L2', 'L3']);
  });
});
