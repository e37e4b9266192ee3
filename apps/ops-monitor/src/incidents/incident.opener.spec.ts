import { FingerprintRecord, IncidentRecord } from '@opscrew/contracts';
import {
  type EventPublisher,
  IncidentLedger,
  KvCorruptValueError,
  TypedKv,
} from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RecordingPublisher } from '@opscrew/testing';
import { fingerprintFixture } from '../announce/testing/fingerprint.fixture';
import { FingerprintStore } from './fingerprint.store';
import { IncidentOpener, isAbandonedOpening, STALE_OPENING_MS } from './incident.opener';

/**
 * An opener over fake buckets with real CAS (the index and the ledger), a publisher that
 * stores each Msg-Id once (JetStream's dedup), and an announcer that records what it was given.
 */
function openerRig(): {
  opener: IncidentOpener;
  store: FingerprintStore;
  fingerprintsRaw: FakeKv;
  fingerprints: TypedKv<FingerprintRecord>;
  ledger: IncidentLedger;
  bus: RecordingPublisher;
  announced: FingerprintRecord[];
  steps: string[];
  announcer: { opened: jest.Mock<Promise<void>, [FingerprintRecord]> };
} {
  const fingerprintsRaw = new FakeKv('fingerprints');
  const fingerprints = new TypedKv(fingerprintsRaw.asKv(), 'fingerprints', {
    class: FingerprintRecord,
  });
  const store = new FingerprintStore(fingerprints);
  const realLedger = new IncidentLedger(
    new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
  );
  const bus = new RecordingPublisher('ops-monitor');
  const steps: string[] = [];
  const announced: FingerprintRecord[] = [];
  const announcer = {
    opened: jest.fn((record: FingerprintRecord) => {
      steps.push('announcer');
      announced.push(record);
      return Promise.resolve();
    }),
  };
  const ledger = {
    open: async (event: Parameters<IncidentLedger['open']>[0]) => {
      steps.push('ledger');
      return realLedger.open(event);
    },
  };
  const publisher: Pick<EventPublisher, 'publish'> = {
    publish: (subject, payload, options) => {
      steps.push(`publish ${subject}`);
      return bus.publish(subject, payload, options);
    },
  };
  const opener = new IncidentOpener({ store, ledger, publisher, announcer });
  return {
    opener,
    store,
    fingerprintsRaw,
    fingerprints,
    ledger: realLedger,
    bus,
    announced,
    steps,
    announcer,
  };
}

/** An index entry written and not yet announced, as IncidentManager leaves it before `announce`. */
async function written(
  store: FingerprintStore,
  overrides: Partial<FingerprintRecord> = {},
  key = 'cart',
): Promise<{ key: string; record: FingerprintRecord; revision: number }> {
  const record = fingerprintFixture(overrides);
  const revision = await store.write(key, record, null);
  if (revision === null) throw new Error(`${key} exists`);
  return { key, record, revision };
}

describe('IncidentOpener', () => {
  it('opens in the crash-safe order: detected event, ledger, announcer, then the mark', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(rig.store);
    let markedBeforeAnnouncer: boolean | undefined;
    rig.announcer.opened.mockImplementationOnce(async (opened) => {
      rig.steps.push('announcer');
      rig.announced.push(opened);
      markedBeforeAnnouncer = (await rig.fingerprints.get(key))?.value.announced;
    });
    await rig.opener.announce(key, record, revision);

    expect(rig.steps).toEqual(['publish incident.detected', 'ledger', 'announcer']);
    expect(markedBeforeAnnouncer).toBe(false);
    const [detected] = rig.bus.of('incident.detected');
    expect(detected).toMatchObject({
      id: `incident.detected.${record.incident_id}`,
      at: record.opened_at,
      incident_id: record.incident_id,
      fingerprint: 'cart:high_error_rate',
    });
    expect((await rig.ledger.get(record.incident_id))?.phase).toBe('detected');
    expect(rig.announced).toEqual([record]);
    expect((await rig.fingerprints.get(key))?.value.announced).toBe(true);
    // Nothing was folded meanwhile: no update.
    expect(rig.bus.of('incident.updated')).toEqual([]);
  });

  it('records an informational incident in the ledger but announces no ticket or alert', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(
      rig.store,
      { informational: true },
      'cart.informational',
    );
    await rig.opener.announce(key, record, revision);
    expect(rig.announcer.opened).not.toHaveBeenCalled();
    expect(rig.bus.of('incident.detected')[0]).toMatchObject({ informational: true });
    expect((await rig.ledger.get(record.incident_id))?.informational).toBe(true);
    expect((await rig.fingerprints.get(key))?.value.announced).toBe(true);
  });

  it('leaves the entry unannounced when the announcer fails, and a repeat completes it once', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(rig.store);
    rig.announcer.opened.mockRejectedValueOnce(new Error('outbox unavailable'));
    await expect(rig.opener.announce(key, record, revision)).rejects.toThrow('outbox unavailable');
    expect((await rig.fingerprints.get(key))?.value.announced).toBe(false);

    // The repeat (the next sighting, or finishPending): the event is a duplicate, the ledger
    // entry is found, the announcer (idempotent by the incident id) runs again, then the mark.
    await rig.opener.announce(key, record, revision);
    expect(rig.bus.of('incident.detected')).toHaveLength(1);
    expect(rig.announcer.opened).toHaveBeenCalledTimes(2);
    expect((await rig.fingerprints.get(key))?.value.announced).toBe(true);
  });

  it('publishes nothing further and changes nothing when the publish fails (NATS down)', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(rig.store);
    rig.bus.failNext = 1;
    await expect(rig.opener.announce(key, record, revision)).rejects.toThrow('NATS unavailable');
    expect(await rig.ledger.get(record.incident_id)).toBeNull();
    expect(rig.announcer.opened).not.toHaveBeenCalled();
    expect((await rig.fingerprints.get(key))?.value.announced).toBe(false);
  });

  it('tells the ledger the count of sightings folded while the opening was in flight', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(rig.store);
    // Another replica folds two more sightings in before our mark (CAS on the stored entry).
    const folded = { ...record, count: 3, last_value: 0.4, peak_value: 0.4 };
    await rig.fingerprints.update(key, folded, revision);
    await rig.opener.announce(key, record, revision);

    expect((await rig.fingerprints.get(key))?.value).toEqual({ ...folded, announced: true });
    const updates = rig.bus.of('incident.updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({
      id: `incident.updated.${record.incident_id}.3`,
      count: 3,
      peak_value: 0.4,
    });
  });

  it('a second announce after the mark publishes no update (the mark is the one that counts)', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(rig.store, { count: 2 });
    await rig.opener.announce(key, record, revision);
    expect(rig.bus.of('incident.updated')).toHaveLength(1);
    await rig.opener.announce(key, record, revision);
    expect(rig.bus.of('incident.updated')).toHaveLength(1);
    expect(rig.bus.of('incident.detected')).toHaveLength(1);
  });

  it('marks nothing when the key was taken over by a newer incident meanwhile', async () => {
    const rig = openerRig();
    const { key, record, revision } = await written(rig.store);
    const newer = fingerprintFixture({ incident_id: 'INC-20261125-002', count: 5 });
    await rig.fingerprints.update(key, newer, revision);
    await rig.opener.announce(key, record, revision);
    expect((await rig.fingerprints.get(key))?.value).toEqual(newer);
    expect(rig.bus.of('incident.updated')).toEqual([]);
  });

  describe('finishPending', () => {
    it('completes only the openings a crash left unannounced, and counts them', async () => {
      const rig = openerRig();
      const pending = await written(rig.store, {}, 'cart');
      const done = await written(
        rig.store,
        { service: 'ad', incident_id: 'INC-20261125-002', announced: true },
        'ad',
      );
      expect(await rig.opener.finishPending()).toBe(1);
      expect(rig.announced.map((record) => record.incident_id)).toEqual([
        pending.record.incident_id,
      ]);
      expect((await rig.fingerprints.get('cart'))?.value.announced).toBe(true);
      expect((await rig.fingerprints.get('ad'))?.value).toEqual(done.record);
      expect(await rig.opener.finishPending()).toBe(0);
    });

    it('stops at a corrupt index entry (it names the key) rather than skipping it', async () => {
      const rig = openerRig();
      rig.fingerprintsRaw.putRaw('cart', '{"incident_id": 42}');
      await expect(rig.opener.finishPending()).rejects.toBeInstanceOf(KvCorruptValueError);
      expect(rig.announcer.opened).not.toHaveBeenCalled();
    });
  });

  it('publishes one incident.updated per state: a retry of the same count is a duplicate', async () => {
    const rig = openerRig();
    const record = fingerprintFixture({ announced: true, count: 2 });
    await rig.opener.publishUpdate(record, 'high: again', false);
    await rig.opener.publishUpdate(record, 'high: again', false);
    await rig.opener.publishUpdate({ ...record, count: 3 }, 'recurred after resolution', true);
    const updates = rig.bus.of('incident.updated');
    expect(updates.map((update) => update.count)).toEqual([2, 3]);
    expect(updates[0]?.phase).toBeUndefined();
    expect(updates[1]?.phase).toBeDefined();
  });

  it('judges an opening abandoned only after STALE_OPENING_MS', () => {
    const record = fingerprintFixture();
    const opened = Date.parse(record.opened_at);
    expect(isAbandonedOpening(record, new Date(opened + STALE_OPENING_MS - 1))).toBe(false);
    expect(isAbandonedOpening(record, new Date(opened + STALE_OPENING_MS))).toBe(true);
  });
});
