import { FingerprintRecord } from '@opscrew/contracts';
import { KvCorruptValueError, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { fingerprintFixture } from '../announce/testing/fingerprint.fixture';
import { FingerprintStore } from './fingerprint.store';
import { OPEN_LOOKBACK_MS, OpenIncidentsQuery } from './open-incidents.query';
import { PhaseLookup } from './phase.lookup';

const NOW = new Date('2026-11-25T03:10:00.000Z');
const DEDUP_WINDOW_MS = 30 * 60_000;

/** The services these tests use, each with its own incident number. */
const SERVICES = ['cart', 'ad', 'quote', 'email', 'shipping', 'payment'];

function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString();
}

/**
 * The query over a fake fingerprints bucket with real CAS, and a ledger that answers the
 * phases a test sets (absent: no ledger entry). `other` writes as another replica would.
 */
function queryRig(bySymptom = false): {
  query: OpenIncidentsQuery;
  store: FingerprintStore;
  raw: FakeKv;
  other: TypedKv<FingerprintRecord>;
  phases: Map<string, string>;
  asked: string[];
} {
  const raw = new FakeKv('fingerprints');
  const other = new TypedKv(raw.asKv(), 'fingerprints', { class: FingerprintRecord });
  const store = new FingerprintStore(
    new TypedKv(raw.asKv(), 'fingerprints', { class: FingerprintRecord }),
  );
  const phases = new Map<string, string>();
  const asked: string[] = [];
  const lookup = new PhaseLookup({
    get: (id: string) => {
      asked.push(id);
      const phase = phases.get(id);
      return Promise.resolve(phase === undefined ? null : ({ phase } as never));
    },
  });
  const query = new OpenIncidentsQuery({
    store,
    phases: lookup,
    dedupWindowMs: DEDUP_WINDOW_MS,
    bySymptom,
  });
  return { query, store, raw, other, phases, asked };
}

/** An announced incident of `service`, last seen `seenAgoMs` before NOW. */
function incident(
  service: string,
  seenAgoMs: number,
  overrides: Partial<FingerprintRecord> = {},
): FingerprintRecord {
  return fingerprintFixture({
    service,
    fingerprint: `${service}:high_error_rate`,
    incident_id: `INC-20261125-${String(SERVICES.indexOf(service) + 1).padStart(3, '0')}`,
    announced: true,
    last_seen_at: ago(seenAgoMs),
    ...overrides,
  });
}

describe('OpenIncidentsQuery', () => {
  describe('openIncident (where a resolved report is noted)', () => {
    it('answers the announced incident within the dedup window, read fresh from the bucket', async () => {
      const rig = queryRig();
      const open = incident('cart', 60_000);
      await rig.other.create('cart', open);
      expect(await rig.query.openIncident('cart', 'high_latency', NOW)).toEqual(open);
      // This process caches the entry, then another replica folds in: the next answer is what
      // is stored, not the cached view.
      await rig.store.current('cart');
      const entry = await rig.other.get('cart');
      await rig.other.update('cart', { ...open, count: 7 }, entry?.revision ?? 0);
      expect((await rig.query.openIncident('cart', 'high_latency', NOW))?.count).toBe(7);
    });

    it('answers null when nothing is stored, when the incident is closed, or when its opening is unfinished', async () => {
      const rig = queryRig();
      expect(await rig.query.openIncident('cart', 'high_error_rate', NOW)).toBeNull();
      // Last seen one millisecond past the dedup window: the incident is over for the index.
      await rig.other.create('cart', incident('cart', DEDUP_WINDOW_MS + 1));
      expect(await rig.query.openIncident('cart', 'high_error_rate', NOW)).toBeNull();
      // Not announced yet (or its opener crashed): there is no ticket to note anything on.
      await rig.other.create('ad', incident('ad', 1_000, { announced: false }));
      expect(await rig.query.openIncident('ad', 'high_error_rate', NOW)).toBeNull();
    });

    it('answers an incident last seen exactly at the edge of the dedup window', async () => {
      const rig = queryRig();
      await rig.other.create('cart', incident('cart', DEDUP_WINDOW_MS));
      expect(await rig.query.openIncident('cart', 'high_error_rate', NOW)).not.toBeNull();
    });

    it('prefers the real incident to an informational one, and falls back to the informational', async () => {
      const rig = queryRig();
      const informational = incident('cart', 1_000, {
        informational: true,
        incident_id: 'INC-20261125-100',
      });
      await rig.other.create('cart.informational', informational);
      expect(await rig.query.openIncident('cart', 'high_error_rate', NOW)).toEqual(informational);
      const real = incident('cart', 5_000);
      await rig.other.create('cart', real);
      expect(await rig.query.openIncident('cart', 'high_error_rate', NOW)).toEqual(real);
    });

    it('looks under the service and symptom when the dedup key fields include the symptom', async () => {
      const rig = queryRig(true);
      const latency = incident('cart', 1_000, { symptom: 'high_latency' });
      await rig.other.create('cart.high_latency', latency);
      expect(await rig.query.openIncident('cart', 'high_latency', NOW)).toEqual(latency);
      expect(await rig.query.openIncident('cart', 'high_error_rate', NOW)).toBeNull();
    });

    it('throws on a corrupt entry rather than answering that nothing is open', async () => {
      const rig = queryRig();
      rig.raw.putRaw('cart', 'not json');
      await expect(rig.query.openIncident('cart', 'high_error_rate', NOW)).rejects.toBeInstanceOf(
        KvCorruptValueError,
      );
    });
  });

  describe('openIncidents (what callers’ symptoms are blamed on)', () => {
    it('lists the announced, recently seen, unresolved incidents this process knows, by service', async () => {
      const rig = queryRig();
      const cart = incident('cart', OPEN_LOOKBACK_MS, { severity: 'critical' });
      await rig.store.write('cart', cart, null);
      rig.phases.set(cart.incident_id, 'remediating');
      expect(await rig.query.openIncidents(NOW)).toEqual(
        new Map([
          [
            'cart',
            { incident_id: cart.incident_id, symptom: 'high_error_rate', severity: 'critical' },
          ],
        ]),
      );
    });

    it('leaves out informational, unannounced, quiet and resolved incidents', async () => {
      const rig = queryRig();
      await rig.store.write(
        'ad.informational',
        incident('ad', 1_000, { informational: true }),
        null,
      );
      await rig.store.write('quote', incident('quote', 1_000, { announced: false }), null);
      await rig.store.write('email', incident('email', OPEN_LOOKBACK_MS + 1), null);
      const resolved = incident('shipping', 1_000);
      await rig.store.write('shipping', resolved, null);
      rig.phases.set(resolved.incident_id, 'resolved');
      // No ledger entry yet (the recorder is a step behind): still open.
      const unrecorded = incident('payment', 1_000);
      await rig.store.write('payment', unrecorded, null);

      expect([...(await rig.query.openIncidents(NOW)).keys()]).toEqual(['payment']);
      // The ledger is asked only about the candidates that passed the cheap checks.
      expect(rig.asked.sort()).toEqual([resolved.incident_id, unrecorded.incident_id].sort());
    });

    it('knows only the incidents this process opened, folded into or read (its cache)', async () => {
      const rig = queryRig();
      // Written by another replica and never read here: not in this process's view.
      await rig.other.create('cart', incident('cart', 1_000));
      expect(await rig.query.openIncidents(NOW)).toEqual(new Map());
      await rig.store.current('cart');
      expect([...(await rig.query.openIncidents(NOW)).keys()]).toEqual(['cart']);
    });

    it('drops an incident once the ledger says it is resolved (after the phase cache expires)', async () => {
      const rig = queryRig();
      const cart = incident('cart', 0);
      await rig.store.write('cart', cart, null);
      rig.phases.set(cart.incident_id, 'remediating');
      expect((await rig.query.openIncidents(NOW)).has('cart')).toBe(true);
      rig.phases.set(cart.incident_id, 'resolved');
      const later = new Date(NOW.getTime() + 60_000);
      // Seen again meanwhile (a fold), so only the phase keeps it out.
      const entry = await rig.store.current('cart');
      await rig.store.write(
        'cart',
        { ...cart, last_seen_at: later.toISOString() },
        entry?.revision ?? 0,
      );
      expect((await rig.query.openIncidents(later)).has('cart')).toBe(false);
    });
  });
});
