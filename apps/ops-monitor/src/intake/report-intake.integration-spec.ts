import { resolveServiceName, loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { type DeadLetterEvent, type IncidentRecord } from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import { eventually, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout, workMs } from '@opscrew/testing';
import { IntakeCrew, stored, tickets } from './testing/intake-crew.harness';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const REPORTS = 60;
/**
 * Waits sized by the work (quiet-machine budgets; eventually() stretches them by the load):
 * each report is consumed, folded and recorded by atlas; each incident becomes one ticket.
 */
const FOLD_WORK_MS = workMs({ items: REPORTS, perItemMs: 500, baseMs: 10_000 });
const TICKET_PER_INCIDENT_MS = 1_000;
jest.setTimeout(jestTimeout(120_000));

/** Reports as outside systems send them: names and aliases, repeated, from several reporters. */
const SERVICE_NAMES = ['cart', 'cartservice', 'payment', 'checkoutservice', 'ad', 'frontend'];
const SYMPTOMS_USED = ['high_error_rate', 'high_latency', 'oom_kill'];
const REPORTERS = ['alertmanager', 'billing-probe', 'ci-smoke'];

interface Planned {
  readonly service: string;
  readonly symptom: string;
  readonly reporter: string;
  readonly dedup_key: string;
  readonly value: number;
}

/**
 * ops-monitor as it runs (the real app module: its report consumer, the incident manager,
 * the outbox and the local tracker) against the real NATS JetStream, atlas's ledger recorder
 * beside it, and a storm of reports published concurrently by an outside client.
 */
describe('incident.reported through ops-monitor (real app module, real JetStream)', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  const config = loadConfig({ configDir: fixture.dir, env: {} }).config;
  let crew: IntakeCrew;

  beforeAll(async () => {
    crew = await IntakeCrew.start({
      natsUrl: NATS_URL,
      namespace,
      fixture,
      token: 'intake-test-token-0123456789',
      name: 'report-intake-test',
    });
  });

  afterAll(async () => {
    await crew?.stop();
  });

  // Symptoms of one service fold into its one incident (alerting.dedup.key_fields: ['service']).
  const serviceOf = (report: Planned): string =>
    resolveServiceName(config.services, report.service) ?? '?';

  /** Everything the consumers had is handled: nothing pending, nothing unacked. */
  async function settled(): Promise<void> {
    const jsm = await crew.bus.jetstreamManager();
    await eventually(async () => {
      for (const durable of ['ops-monitor-reports', 'atlas-ledger']) {
        const info = await jsm.consumers.info(crew.bus.subjects.stream(), durable);
        if (info.num_pending > 0 || info.num_ack_pending > 0) return false;
      }
      return true;
    }, 60_000);
  }

  it('N reports (names and aliases, repeated, shuffled, concurrent) → one incident per service (its symptoms listed), each count == its reports, one ticket each', async () => {
    // A fixed shuffle per run is enough: the fold's unit property test covers many orders.
    const plan: Planned[] = [];
    for (let i = 0; i < REPORTS; i++) {
      plan.push({
        service: SERVICE_NAMES[(i * 7) % SERVICE_NAMES.length] ?? 'cart',
        symptom: SYMPTOMS_USED[(i * 5) % SYMPTOMS_USED.length] ?? 'oom_kill',
        reporter: REPORTERS[i % REPORTERS.length] ?? 'ci-smoke',
        dedup_key: `key-${i % 13}`,
        value: 0.05 + (i % 10) / 20,
      });
    }
    plan.sort(() => Math.random() - 0.5);
    const outside = new EventPublisher(crew.bus, 'external');
    // Concurrent publishes, eight at a time, as several outside systems would.
    for (let at = 0; at < plan.length; at += 8)
      await Promise.all(
        plan.slice(at, at + 8).map((report) => outside.publish('incident.reported', report)),
      );

    const byService = new Map<string, Planned[]>();
    for (const report of plan)
      byService.set(serviceOf(report), [...(byService.get(serviceOf(report)) ?? []), report]);
    let incidents: IncidentRecord[] = [];
    await eventually(async () => {
      incidents = await crew.ledger.list();
      return incidents.reduce((sum, incident) => sum + incident.count, 0) === plan.length;
    }, FOLD_WORK_MS);
    await settled();
    incidents = await crew.ledger.list();

    expect(incidents.map((incident) => incident.service).sort()).toEqual(
      [...byService.keys()].sort(),
    );
    for (const incident of incidents) {
      const own = byService.get(incident.service) ?? [];
      expect({ service: incident.service, count: incident.count }).toEqual({
        service: incident.service,
        count: own.length,
      });
      // The fingerprint is the first symptom's; every reported symptom is listed.
      expect(new Set(incident.symptoms ?? [])).toEqual(new Set(own.map((r) => r.symptom)));
      expect(new Set(incident.reporters)).toEqual(new Set(own.map((r) => r.reporter)));
      expect(new Set(incident.dedup_keys)).toEqual(new Set(own.map((r) => r.dedup_key)));
      expect(incident.detected_by).toBe('ops-monitor');
      expect(incident.informational).not.toBe(true);
    }
    // One ticket per incident (the outbox delivers asynchronously), and no more after a while.
    await eventually(
      async () => (await tickets(crew.bus)).length >= incidents.length,
      workMs({ items: incidents.length, perItemMs: TICKET_PER_INCIDENT_MS, baseMs: 10_000 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const all = await tickets(crew.bus);
    expect(all.map((ticket) => ticket.incident_id).sort()).toEqual(
      incidents.map((incident) => incident.incident_id).sort(),
    );
    // At most one remediation: jira-resolver acts on incident.detected, one per incident.
    const detected = await stored(crew.bus, 'incident.detected');
    expect(detected).toHaveLength(incidents.length);
    // Atlas's consumers took the reports without a dead letter.
    expect(await stored(crew.bus, 'deadletter.>')).toEqual([]);
    // The reporter finds its incident by its own key.
    const key = plan[0]?.dedup_key ?? '';
    expect((await crew.ledger.list({ dedup_key: key })).length).toBeGreaterThan(0);
  });

  it('records a resolved report on the open incident without resolving or counting it', async () => {
    const outside = new EventPublisher(crew.bus, 'external');
    const [incident] = await crew.ledger.list({ dedup_key: 'key-0' });
    if (!incident) throw new Error('no incident with key-0');
    await outside.publish('incident.reported', {
      service: incident.service,
      symptom: incident.symptom,
      value: 0,
      reporter: 'billing-probe',
      dedup_key: 'key-0',
      status: 'resolved',
      summary: 'probe green again',
    });
    await eventually(async () =>
      Boolean(
        (await crew.ledger.get(incident.incident_id))?.history.some((step) =>
          step.note?.includes('probe green again'),
        ),
      ),
    );
    const after = await crew.ledger.get(incident.incident_id);
    expect(after).toMatchObject({ phase: incident.phase, count: incident.count });
  });

  it('dead-letters a report for an unknown service with the reason; nothing reaches the ledger', async () => {
    const before = (await crew.ledger.list()).length;
    await new EventPublisher(crew.bus, 'external').publish('incident.reported', {
      service: 'warp-core',
      symptom: 'high_error_rate',
      value: 0.5,
      reporter: 'billing-probe',
    });
    let letters: DeadLetterEvent[] = [];
    await eventually(async () => {
      letters = (await stored(crew.bus, 'deadletter.ops-monitor-reports')) as DeadLetterEvent[];
      return letters.length === 1;
    });
    expect(letters[0]?.reason).toMatch(
      /^incident\.reported: handler failed permanently: incident\.reported \S+ from billing-probe: unknown service "warp-core" \(watched, with aliases: frontend /,
    );
    await settled();
    expect(await crew.ledger.list()).toHaveLength(before);
    expect(await stored(crew.bus, 'deadletter.atlas-ledger')).toEqual([]);
  });
});
