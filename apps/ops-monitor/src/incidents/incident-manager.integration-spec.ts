import {
  buildEvent,
  FingerprintRecord,
  IncidentRecord,
  KV_BUCKETS,
  SUBJECTS,
} from '@opscrew/contracts';
import {
  counterSchema,
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  type NatsConnectionService,
} from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { StringCodec } from 'nats';
import { type Anomaly } from '../detection/anomaly';
import { IncidentManager } from './incident-manager.service';

/** The day's n-th incident id, whatever the store's epoch (`INC-20261124-00n-EEEE`). */
const dayId = (n: number): unknown =>
  expect.stringMatching(new RegExp(`^INC-20261124-${String(n).padStart(3, '0')}-[0-9a-z]{4}$`));

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const WINDOW_MS = 60 * 60 * 1000;

const anomaly = (value: number, overrides: Partial<Anomaly> = {}): Anomaly => ({
  service: 'cart',
  symptom: 'high_error_rate',
  rule: 'absolute',
  metric: 'error_rate_ratio',
  value,
  threshold: 0.02,
  severity: 'high',
  informational: false,
  detail: `error rate ${value}`,
  ...overrides,
});

describe('IncidentManager against JetStream (dedup by CAS)', () => {
  let bus: NatsConnectionService;
  let clock: Date;
  const opened: string[] = [];

  const replica = async (): Promise<IncidentManager> => {
    const kv = new KvFactory(bus);
    return new IncidentManager(
      await kv.open(KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
      new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
      new IncidentIdAllocator(await kv.open(KV_BUCKETS.sequences, counterSchema)),
      new EventPublisher(bus, 'ops-monitor'),
      { opened: (record) => Promise.resolve(void opened.push(record.incident_id)) },
      { dedupWindowMs: WINDOW_MS, now: () => clock },
    );
  };

  const published = async (subject: string): Promise<unknown[]> => {
    const jsm = await bus.jetstreamManager();
    // Every publisher's `<subject>.<user>` (publisher-subject.ts).
    const wire = bus.subjects.anyPublisher(subject);
    const info = await jsm.streams.info(bus.subjects.stream(), { subjects_filter: wire });
    const count = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
    if (count === 0) return [];
    const consumer = await bus
      .jetstream()
      .consumers.get(bus.subjects.stream(), { filterSubjects: wire });
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const message = await consumer.next({ expires: 2_000 });
      if (message) out.push(JSON.parse(StringCodec().decode(message.data)));
    }
    await consumer.delete();
    return out;
  };

  beforeEach(async () => {
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'incident-manager-test'));
    clock = new Date('2026-11-24T10:00:00.000Z');
    opened.length = 0;
  });
  afterEach(async () => {
    await removeTestTopology(bus);
    await bus.close();
  });

  it('two replicas seeing the same fault 20 times open exactly one incident', async () => {
    const [a, b] = [await replica(), await replica()];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).handle(anomaly(0.1 + i / 100))),
    );
    expect(results.filter((r) => r.outcome === 'opened')).toHaveLength(1);
    expect([...new Set(results.map((r) => r.record.incident_id))]).toEqual([dayId(1)]);
    expect(opened).toEqual([dayId(1)]);
    expect(await published(SUBJECTS.incidentDetected)).toHaveLength(1);
    const ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    expect((await ledger.list()).map((r) => r.incident_id)).toEqual([dayId(1)]);
    const final = await a.handle(anomaly(0.12));
    expect(final.record.count).toBe(21);
    expect(final.record.peak_value).toBeCloseTo(0.29);
  });

  it('publishes incident.updated only on meaningful change (severity up, peak +25 %)', async () => {
    const manager = await replica();
    await manager.handle(anomaly(0.1));
    expect((await manager.handle(anomaly(0.11))).outcome).toBe('unchanged');
    expect((await manager.handle(anomaly(0.2))).outcome).toBe('updated');
    expect((await manager.handle(anomaly(0.21))).outcome).toBe('unchanged');
    expect((await manager.handle(anomaly(0.22, { severity: 'critical' }))).outcome).toBe('updated');
    const updates = (await published(SUBJECTS.incidentUpdated)) as {
      peak_value: number;
      count: number;
    }[];
    expect(updates.map((u) => [u.count, u.peak_value])).toEqual([
      [3, 0.2],
      [5, 0.22],
    ]);
  });

  it('opens a new incident once the dedup window has passed, and reopens a resolved one within it', async () => {
    const manager = await replica();
    const first = await manager.handle(anomaly(0.1));
    clock = new Date(clock.getTime() + WINDOW_MS + 1000);
    const second = await manager.handle(anomaly(0.1));
    expect(second.outcome).toBe('opened');
    expect(second.record.incident_id).toEqual(dayId(2));
    expect(first.record.incident_id).toEqual(dayId(1));

    const ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    await ledger.apply(
      buildEvent(
        'incident.resolved',
        { incident_id: second.record.incident_id, resolved_by: 'jira-resolver' },
        'jira-resolver',
      ),
      'resolved',
    );
    clock = new Date(clock.getTime() + 60_000);
    expect((await manager.handle(anomaly(0.1))).outcome).toBe('reopened');
    const updates = (await published(SUBJECTS.incidentUpdated)) as {
      phase?: string;
      incident_id: string;
    }[];
    expect(updates).toEqual([
      expect.objectContaining({ incident_id: second.record.incident_id, phase: 'reopened' }),
    ]);
  });

  it('keeps informational sightings (locked service) apart: no announcement, and a real incident still opens after', async () => {
    const manager = await replica();
    const info = await manager.handle(anomaly(0.4, { informational: true, severity: 'info' }));
    expect(info.record.informational).toBe(true);
    expect(opened).toEqual([]);
    const real = await manager.handle(anomaly(0.4));
    expect(real.outcome).toBe('opened');
    expect(real.record.incident_id).not.toBe(info.record.incident_id);
    expect(opened).toEqual([real.record.incident_id]);
  });

  it("folds every symptom of one service into its one incident, and callers' symptoms as its impact", async () => {
    const manager = await replica();
    // A leak trips two rules a second apart: one fault, one incident.
    await manager.handle(anomaly(0.04, { symptom: 'error_rate_drift', rule: 'drift' }));
    clock = new Date(clock.getTime() + 1000);
    await manager.handle(anomaly(0.35, { severity: 'critical' }));
    // Its caller's errors are explained by it (the detection engine's blame): impact, not a new incident.
    await manager.handle(
      anomaly(0.3, {
        rule: 'dependency',
        symptom: 'dependency_failure',
        severity: 'info',
        detail: 'frontend high_error_rate is explained by cart: the crew is restarting it',
        impact: {
          service: 'frontend',
          symptom: 'high_error_rate',
          severity: 'critical',
          peak_value: 0.3,
          first_seen_at: clock.toISOString(),
          last_seen_at: clock.toISOString(),
        },
      }),
    );
    expect(opened).toHaveLength(1);
    const ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    const updates = (await published(SUBJECTS.incidentUpdated)) as {
      symptoms?: string[];
      impact?: { service: string }[];
      severity?: string;
    }[];
    const last = updates.at(-1);
    expect(last?.symptoms).toEqual(['error_rate_drift', 'high_error_rate']);
    expect(last?.impact?.map((entry) => entry.service)).toEqual(['frontend']);
    expect(last?.severity).toBe('critical');
    for (const [index, update] of updates.entries())
      await ledger.apply(
        buildEvent('incident.updated', update as never, 'ops-monitor', { id: `u${index}` }),
        'updated',
      );
    const [incident] = await ledger.list();
    expect(incident).toMatchObject({
      service: 'cart',
      symptom: 'error_rate_drift',
      symptoms: ['error_rate_drift', 'high_error_rate'],
      severity: 'critical',
    });
    expect(incident?.impact).toEqual([
      expect.objectContaining({
        service: 'frontend',
        symptom: 'high_error_rate',
        severity: 'critical',
      }),
    ]);
  });

  it('completes an opening interrupted by a crash, without a second incident or event', async () => {
    const kv = new KvFactory(bus);
    let failOnce = true;
    const crashing = new IncidentManager(
      await kv.open(KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
      new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
      new IncidentIdAllocator(await kv.open(KV_BUCKETS.sequences, counterSchema)),
      new EventPublisher(bus, 'ops-monitor'),
      {
        opened: (record) => {
          if (failOnce) {
            failOnce = false;
            return Promise.reject(new Error('process died here'));
          }
          opened.push(record.incident_id);
          return Promise.resolve();
        },
      },
      { dedupWindowMs: WINDOW_MS, now: () => clock },
    );
    await expect(crashing.handle(anomaly(0.1))).rejects.toThrow('process died here');
    expect(await crashing.finishPending()).toBe(1);
    expect(await crashing.finishPending()).toBe(0);
    expect(opened).toEqual([dayId(1)]);
    expect(await published(SUBJECTS.incidentDetected)).toHaveLength(1);
  });
});
