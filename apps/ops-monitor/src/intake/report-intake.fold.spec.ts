import { seededRandom } from '@opscrew/testing';
import { Logger } from '@nestjs/common';
import { resolveServiceName } from '@opscrew/config';
import { buildEvent, type IncidentReportedEvent } from '@opscrew/contracts';
import { InMemoryCrew, shippedConfig } from './testing/in-memory-crew';

const config = shippedConfig();

const pick = <T>(next: () => number, items: readonly T[]): T =>
  items[Math.floor(next() * items.length)] as T;

function shuffle<T>(next: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Names as reporters send them: canonical names and OTel demo 1.x aliases. */
const SERVICE_NAMES = ['cart', 'cartservice', 'payment', 'paymentservice', 'ad', 'adservice'];
const SYMPTOMS_USED = ['high_error_rate', 'high_latency', 'oom_kill', 'container_crash'];
const REPORTERS = ['alertmanager', 'cli', 'billing-probe'];

interface Case {
  readonly reports: IncidentReportedEvent[];
  /** Deliveries: every report once, some twice (a lost ack), shuffled. */
  readonly deliveries: IncidentReportedEvent[];
}

function generate(seed: number): Case {
  const next = seededRandom(seed);
  const count = 20 + Math.floor(next() * 60);
  const reports: IncidentReportedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const service = pick(next, SERVICE_NAMES);
    const symptom = pick(next, SYMPTOMS_USED);
    reports.push(
      buildEvent(
        'incident.reported',
        {
          service,
          symptom,
          value: symptom.startsWith('high_error') ? next() : Math.round(next() * 10_000),
          reporter: pick(next, REPORTERS),
          // A small pool of keys per seed, reused across reports (Alertmanager re-sends).
          ...(next() < 0.8 ? { dedup_key: `key-${Math.floor(next() * 30)}` } : {}),
        },
        'external',
        { id: `seed${seed}-report${i}` },
      ),
    );
  }
  const deliveries = [...reports, ...reports.filter(() => next() < 0.25)];
  return { reports, deliveries: shuffle(next, deliveries) };
}

/** One fault, one incident: reports fold by the (canonical) service, whatever their symptom. */
function serviceOf(report: IncidentReportedEvent): string {
  return resolveServiceName(config.services, report.service) ?? '?';
}

describe('the fold of reports (property: any mix, order, concurrency and redelivery)', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it.each(Array.from({ length: 25 }, (_, i) => i + 1))(
    'seed %i: incidents == distinct services, each count == its reports, its symptoms all of theirs, one announcement each, correlation kept',
    async (seed) => {
      const { reports, deliveries } = generate(seed);
      const crew = new InMemoryCrew(config);
      // Two ops-monitor replicas over the same buckets, in bursts of concurrent deliveries.
      const replicas = [crew.replica(), crew.replica()];
      const next = seededRandom(seed * 7919);
      for (let at = 0; at < deliveries.length;) {
        const burst = deliveries.slice(at, at + 1 + Math.floor(next() * 8));
        at += burst.length;
        await Promise.all(burst.map((report) => pick(next, replicas).intake.take(report)));
      }
      await crew.recordUpdates();

      const expected = new Map<string, IncidentReportedEvent[]>();
      for (const report of reports)
        expected.set(serviceOf(report), [...(expected.get(serviceOf(report)) ?? []), report]);
      const incidents = await crew.ledger.list();
      expect(incidents.map((i) => i.service).sort()).toEqual([...expected.keys()].sort());
      expect(crew.opened.map((r) => r.service).sort()).toEqual([...expected.keys()].sort());
      for (const incident of incidents) {
        const own = expected.get(incident.service) ?? [];
        // Every symptom reported for the service is on its one incident, the primary first.
        expect(new Set(incident.symptoms)).toEqual(new Set(own.map((r) => r.symptom)));
        expect(incident.symptoms?.[0]).toBe(incident.symptom);
        const reporters = new Set(own.map((r) => r.reporter));
        const keys = new Set(own.flatMap((r) => (r.dedup_key === undefined ? [] : [r.dedup_key])));
        expect({ service: incident.service, count: incident.count }).toEqual({
          service: incident.service,
          count: own.length,
        });
        expect(new Set(incident.reporters)).toEqual(reporters);
        // Bounded at 20, all of them when fewer.
        expect(incident.dedup_keys?.length ?? 0).toBe(Math.min(20, keys.size));
        for (const key of incident.dedup_keys ?? []) expect(keys.has(key)).toBe(true);
      }
      // Every count from 2 to n was published exactly once per incident (the ledger's history).
      for (const incident of incidents) {
        const counts = crew.bus
          .of('incident.updated')
          .filter((u) => u.incident_id === incident.incident_id && u.count !== undefined)
          .map((u) => u.count);
        expect(new Set(counts)).toEqual(
          new Set(Array.from({ length: incident.count - 1 }, (_, i) => i + 2)),
        );
      }
    },
  );
});
