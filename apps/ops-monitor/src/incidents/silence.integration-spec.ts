import { FingerprintRecord, IncidentRecord, KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import {
  counterSchema,
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  type NatsConnectionService,
  SilenceStore,
} from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { StringCodec } from 'nats';
import { type Anomaly } from '../detection/anomaly';
import { IncidentManager } from './incident-manager.service';
import { silencedServices, underSilence } from './silenced-sighting';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const WINDOW_MS = 60 * 60 * 1000;
const ALICE = { via: 'discord' as const, id: '284735193749618688', name: 'alice' };

const anomaly = (value: number): Anomaly => ({
  service: 'cart',
  symptom: 'high_error_rate',
  rule: 'absolute',
  metric: 'error_rate_ratio',
  value,
  threshold: 0.02,
  severity: 'high',
  informational: false,
  detail: `error rate ${value}`,
});

/**
 * A maintenance window on a real bus: atlas writes the silence, ops-monitor reads it, folds the
 * anomaly as informational (recorded, no ticket: the announcer is not called, and the
 * incident.detected says informational, which jira-resolver never works), and once the window
 * ends the next sighting opens a normal incident — the dedup index does not swallow it.
 */
describe('a silenced service in ops-monitor (real JetStream)', () => {
  let bus: NatsConnectionService;
  let clock: Date;
  const announced: string[] = [];

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'silence-test'));
    clock = new Date('2026-12-07T10:00:00.000Z');
  });
  afterAll(async () => {
    await removeTestTopology(bus);
    await bus.close();
  });

  const detected = async (): Promise<Record<string, unknown>[]> => {
    const jsm = await bus.jetstreamManager();
    const wire = bus.subjects.anyPublisher(SUBJECTS.incidentDetected);
    const info = await jsm.streams.info(bus.subjects.stream(), { subjects_filter: wire });
    const count = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
    if (count === 0) return [];
    const consumer = await bus
      .jetstream()
      .consumers.get(bus.subjects.stream(), { filterSubjects: wire });
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const message = await consumer.next({ expires: 2_000 });
      if (message)
        out.push(JSON.parse(StringCodec().decode(message.data)) as Record<string, unknown>);
    }
    await consumer.delete();
    return out;
  };

  it('records without a ticket while silenced, and evaluates the service again after', async () => {
    const kv = new KvFactory(bus);
    // atlas's side writes the window; ops-monitor's reads it through its own handle.
    const atlas = await SilenceStore.open(kv);
    const monitor = await SilenceStore.open(new KvFactory(bus));
    await atlas.silence(
      'cart',
      new Date(clock.getTime() + 30 * 60_000),
      'db migration',
      ALICE,
      clock,
    );
    const incidents = new IncidentManager(
      await kv.open(KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
      new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
      new IncidentIdAllocator(await kv.open(KV_BUCKETS.sequences, counterSchema)),
      new EventPublisher(bus, 'ops-monitor'),
      { opened: (record) => Promise.resolve(void announced.push(record.incident_id)) },
      { dedupWindowMs: WINDOW_MS, now: () => clock },
    );
    // What the cycle does with each anomaly.
    const sighted = async (value: number) => {
      const silence = (
        await silencedServices(monitor, clock, (message) => {
          throw new Error(message);
        })
      ).get('cart');
      return incidents.handle(silence ? underSilence(anomaly(value), silence) : anomaly(value));
    };

    const during = await sighted(0.2);
    expect(during.outcome).toBe('opened');
    expect(during.record.informational).toBe(true);
    expect(during.record.detail).toMatch(
      /service silenced until 2026-12-07T10:30:00.000Z by alice/,
    );
    clock = new Date(clock.getTime() + 60_000);
    expect((await sighted(0.25)).outcome).not.toBe('opened');
    expect(announced).toEqual([]);

    // The window ends (no one ended it: its `until` passed). The very next sighting is a normal
    // incident with a ticket, though the silenced one is still inside the dedup window.
    clock = new Date('2026-12-07T10:31:00.000Z');
    const after = await sighted(0.3);
    expect(after.outcome).toBe('opened');
    expect(after.record.informational).toBe(false);
    expect(after.record.severity).toBe('high');
    expect(announced).toEqual([after.record.incident_id]);

    const events = await detected();
    expect(events.map((e) => e.informational ?? false)).toEqual([true, false]);
  });
});
