import { Logger } from '@nestjs/common';
import {
  buildEvent,
  type EventPayloads,
  type IncidentReportedEvent,
  errorMessage,
} from '@opscrew/contracts';
import { PermanentError } from '@opscrew/messaging';
import { InMemoryCrew, shippedConfig } from './testing/in-memory-crew';

const config = shippedConfig();

function report(
  payload: Partial<EventPayloads['incident.reported']> = {},
  id?: string,
): IncidentReportedEvent {
  return buildEvent(
    'incident.reported',
    {
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.2,
      reporter: 'billing-probe',
      ...payload,
    },
    'external',
    id !== undefined ? { id } : {},
  );
}

describe('ReportIntake (one report → the fingerprint ledger, like a detection)', () => {
  let crew: InMemoryCrew;
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => {
    crew = new InMemoryCrew(config);
  });

  it('five identical reports are one incident with count 5, one announcement, and the ledger shows 5', async () => {
    const { intake } = crew.replica();
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(await intake.take(report({ dedup_key: 'probe-1' }, `r${i}`)));
    expect(results.map((r) => r.outcome)).toEqual([
      'opened',
      'updated',
      'updated',
      'updated',
      'updated',
    ]);
    expect(new Set(results.map((r) => r.incident_id)).size).toBe(1);
    expect(crew.opened).toHaveLength(1);
    // Every fold of a report is news for the ledger: counts 2..5, each once.
    expect(crew.bus.of('incident.updated').map((u) => u.count)).toEqual([2, 3, 4, 5]);
    await crew.recordUpdates();
    const [incident] = await crew.ledger.list();
    expect(incident).toMatchObject({
      fingerprint: 'cart:high_error_rate',
      count: 5,
      reporters: ['billing-probe'],
      dedup_keys: ['probe-1'],
    });
  });

  it('resolves a service alias and takes the severity from the bands when none is given', async () => {
    const { intake } = crew.replica();
    await intake.take(report({ service: 'cartservice', value: 0.35 }));
    expect(crew.opened[0]).toMatchObject({
      service: 'cart',
      severity: 'critical',
      metric: 'error_rate_ratio',
      rule: 'reported',
      informational: false,
    });
    expect(crew.opened[0]?.detail).toMatch(
      /^billing-probe reported high_error_rate on cart = 35\.0 %/,
    );
  });

  it('folds another symptom of the same service into its incident: one fault, one incident', async () => {
    const { intake } = crew.replica();
    await intake.take(report({ service: 'cartservice', value: 0.35 }));
    await intake.take(report({ symptom: 'oom_kill', value: 1, severity: 'low' }));
    expect(crew.opened).toHaveLength(1);
    await crew.recordUpdates();
    const [incident] = await crew.ledger.list();
    expect(incident).toMatchObject({
      fingerprint: 'cart:high_error_rate',
      symptoms: ['high_error_rate', 'oom_kill'],
      // The worst severity seen; values stay those of the primary symptom's metric.
      severity: 'critical',
      count: 2,
      peak_value: 0.35,
    });
  });

  it('makes a report on a locked service informational (info, no announcement), like a detection', async () => {
    crew.locked.set('cart', {
      holder: 'demo-controller:run-1',
      acquired_at: new Date().toISOString(),
      expires_at: new Date(Date.now() + 60_000).toISOString(),
      ttl_ms: 60_000,
      reason: 'stress test',
    });
    const { intake } = crew.replica();
    const result = await intake.take(report({ severity: 'critical' }));
    expect(result.outcome).toBe('opened');
    expect(crew.opened).toEqual([]);
    const [incident] = await crew.ledger.list();
    expect(incident).toMatchObject({ severity: 'info', informational: true });
  });

  it('makes a report on a silenced service informational (recorded, no ticket), saying who silenced it', async () => {
    await crew.silences.silence('cart', new Date(Date.now() + 3_600_000), 'db migration', {
      via: 'cli',
      id: 'ops',
      name: 'ops',
    });
    const { intake } = crew.replica();
    expect((await intake.take(report({ severity: 'critical' }))).outcome).toBe('opened');
    expect(crew.opened).toEqual([]);
    const [incident] = await crew.ledger.list();
    expect(incident).toMatchObject({ severity: 'info', informational: true });
    const [indexed] = await crew.fingerprints().values();
    expect(indexed?.value.detail).toMatch(
      /service silenced until .* by ops \(cli\) for "db migration"/,
    );
    // The window ended: the next report opens a normal incident, announced (ticket and alert).
    await crew.silences.end('cart');
    expect((await intake.take(report({ severity: 'critical' }))).outcome).toBe('opened');
    expect(crew.opened.map((record) => record.severity)).toEqual(['critical']);
  });

  it('refuses an unknown service or symptom with a reason naming it and the known ones', async () => {
    const { intake } = crew.replica();
    const refused = async (payload: Partial<EventPayloads['incident.reported']>) =>
      intake.take(report(payload, 'bad-1')).then(
        () => null,
        (error: unknown) => error,
      );
    const service = await refused({ service: 'cartt' });
    expect(service).toBeInstanceOf(PermanentError);
    expect(errorMessage(service)).toMatch(
      /^incident\.reported bad-1 from billing-probe: unknown service "cartt" \(watched, with aliases: frontend \(frontendservice\), ad \(adservice\), cart \(cartservice\), /,
    );
    const symptom = await refused({ symptom: 'on_fire' });
    expect(symptom).toBeInstanceOf(PermanentError);
    expect(errorMessage(symptom)).toBe(
      'incident.reported bad-1 from billing-probe: unknown symptom "on_fire" (known: high_error_rate, high_latency, oom_kill, connection_pool_exhaustion, container_crash, dependency_failure, error_rate_drift, latency_drift, traffic_drop, high_cpu, high_memory, slo_burn_fast, slo_burn_slow)',
    );
    expect(await crew.ledger.list()).toEqual([]);
  });

  it('records a resolved report on the open incident, never resolves it and never opens one', async () => {
    const { intake } = crew.replica();
    expect((await intake.take(report({ status: 'resolved', dedup_key: 'fp-9' }))).outcome).toBe(
      'nothing_open',
    );
    expect(await crew.ledger.list()).toEqual([]);

    await intake.take(report({ dedup_key: 'fp-1' }));
    const resolved = report({ status: 'resolved', dedup_key: 'fp-1', summary: 'back to normal' });
    expect((await intake.take(resolved)).outcome).toBe('noted');
    // A redelivery adds no second note.
    await intake.take(resolved);
    await crew.recordUpdates();
    const [incident] = await crew.ledger.list();
    expect(incident?.phase).toBe('detected');
    expect(incident?.count).toBe(1);
    const notes = incident?.history.map((step) => step.note ?? '') ?? [];
    expect(notes.filter((note) => note.includes('resolved'))).toEqual([
      'billing-probe reports high_error_rate on cart resolved (dedup key fp-1): back to normal — recorded only: the crew verifies a fix with its own metrics',
    ]);
  });

  it('a report another replica folds while the opening is in flight still reaches the ledger count', async () => {
    const [a, b] = [crew.replica(), crew.replica()];
    crew.duringAnnouncement = async () => {
      crew.duringAnnouncement = null;
      // The index entry exists (announced: false): replica b folds into it and publishes nothing.
      expect((await b.intake.take(report({ dedup_key: 'late' }, 'second'))).outcome).toBe(
        'updated',
      );
    };
    await a.intake.take(report({ dedup_key: 'early' }, 'first'));
    await crew.recordUpdates();
    const [incident] = await crew.ledger.list();
    expect(incident).toMatchObject({ count: 2, dedup_keys: ['early', 'late'] });
    expect(crew.opened).toHaveLength(1);
  });

  it('counts a redelivered report once', async () => {
    const { intake } = crew.replica();
    const first = report({ dedup_key: 'k' }, 'same-id');
    await intake.take(first);
    await intake.take(report({ dedup_key: 'k' }, 'other-id'));
    const again = await intake.take(first);
    expect(again.outcome).toBe('unchanged');
    await crew.recordUpdates();
    expect((await crew.ledger.list())[0]?.count).toBe(2);
  });
});
