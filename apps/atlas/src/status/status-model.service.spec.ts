import { type IncidentRecord, type LeaseRecord } from '@opscrew/contracts';
import { type IncidentLedger, type KvItem } from '@opscrew/messaging';
import { type IncidentsView } from '../ledger/incidents-view.service';
import { type AgentLiveness } from '../liveness/agent-liveness';
import { type LivenessService } from '../liveness/liveness.service';
import { type IncidentTicketLookup } from './incident-tickets.lookup';
import { STATUS_ROW_LIMITS } from './status-model';
import { StatusModelService } from './status-model.service';
import { type SilenceView, type SloView } from './status-sources';

const NOW = new Date('2026-12-07T01:00:00.000Z');

function incident(n: number, phase: IncidentRecord['phase']): IncidentRecord {
  return {
    incident_id: `INC-20261207-${String(n).padStart(3, '0')}-0001`,
    fingerprint: `checkout:error_rate_high:${n}`,
    service: 'checkout',
    symptom: 'error_rate_high',
    severity: 'high',
    phase,
    detected_by: 'ops-monitor',
    detected_at: NOW.toISOString(),
    updated_at: NOW.toISOString(),
    value: 1,
    count: 1,
    last_value: 1,
    peak_value: 1,
    history: [{ at: NOW.toISOString(), phase, source: 'ops-monitor', event_id: `e${n}` }],
  };
}

const agents: AgentLiveness[] = [
  {
    agent: 'atlas',
    enabled: true,
    state: 'alive',
    heartbeat_age_s: 1,
    last_heartbeat_at: NOW.toISOString(),
    max_age_s: 30,
    version: '0.1.0',
    pid: 1,
    replicas: [],
  },
  {
    agent: 'demo-controller',
    enabled: false,
    state: 'never_seen',
    heartbeat_age_s: null,
    last_heartbeat_at: null,
    max_age_s: 30,
    version: null,
    pid: null,
    replicas: [],
  },
];

interface Wiring {
  snapshot?: () => Promise<AgentLiveness[]>;
  view?: IncidentRecord[] | null;
  ledger?: IncidentRecord[];
  locks?: () => Promise<KvItem<LeaseRecord>[]>;
  silences?: () => Promise<readonly SilenceView[]>;
  slos?: () => Promise<readonly SloView[]>;
}

function service(wiring: Wiring = {}): StatusModelService {
  const liveness = {
    snapshot: wiring.snapshot ?? (() => Promise.resolve(agents)),
  } as unknown as LivenessService;
  const view = { open: () => wiring.view ?? null } as unknown as IncidentsView;
  const ledger = {
    list: () => Promise.resolve(wiring.ledger ?? []),
  } as unknown as IncidentLedger;
  const tickets = {
    tickets: (ids: readonly string[]) =>
      Promise.resolve(
        new Map(ids.slice(0, 1).map((id) => [id, { key: 'OPS-1', url: null, state: 'delivered' }])),
      ),
  } as unknown as IncidentTicketLookup;
  return new StatusModelService(
    liveness,
    view,
    ledger,
    { values: wiring.locks ?? (() => Promise.resolve([])) },
    tickets,
    wiring.silences ?? null,
    wiring.slos ?? null,
    null,
  );
}

describe('StatusModelService', () => {
  it('shares one build among the requests that arrive while it runs', async () => {
    const snapshot = jest.fn(() => Promise.resolve(agents));
    const status = service({ snapshot });
    const [a, b] = await Promise.all([status.current(), status.current()]);
    expect(a).toBe(b);
    expect(snapshot).toHaveBeenCalledTimes(1);
    await status.current();
    expect(snapshot).toHaveBeenCalledTimes(2);
  });

  it('shows a disabled agent as disabled, whatever its heartbeat says', async () => {
    const model = await service().build(NOW);
    expect(model.crew.status === 'ok' && model.crew.rows.map((r) => [r.agent, r.state])).toEqual([
      ['atlas', 'alive'],
      ['demo-controller', 'disabled'],
    ]);
  });

  it('lists open incidents (not resolved ones), bounded, with their tickets', async () => {
    const records = Array.from({ length: 70 }, (_, i) => incident(i + 1, 'triaged'));
    const model = await service({ view: records }).build(NOW);
    expect(model.incidents.status).toBe('ok');
    if (model.incidents.status !== 'ok') return;
    expect(model.incidents.total).toBe(70);
    expect(model.incidents.rows).toHaveLength(STATUS_ROW_LIMITS.incidents);
    expect(model.incidents.rows[0]?.ticket).toEqual({
      key: 'OPS-1',
      url: null,
      state: 'delivered',
    });
    expect(model.incidents.rows[1]?.ticket).toBeNull();
  });

  it('reads the ledger until the view is loaded, leaving resolved incidents out', async () => {
    const model = await service({
      view: null,
      ledger: [incident(1, 'resolved'), incident(2, 'escalated')],
    }).build(NOW);
    expect(model.incidents.status === 'ok' && model.incidents.rows.map((r) => r.phase)).toEqual([
      'escalated',
    ]);
  });

  it('says "not configured" for a section without a source', async () => {
    const model = await service().build(NOW);
    expect(model.silences).toEqual({ status: 'not_configured' });
    expect(model.slos).toEqual({ status: 'not_configured' });
    expect(model.reports).toEqual({ status: 'not_configured' });
  });

  it('a failing source makes its own section unavailable, not the page', async () => {
    const model = await service({
      locks: () => Promise.reject(new Error('bucket locks: timeout')),
      silences: () => Promise.resolve([]),
    }).build(NOW);
    expect(model.locks).toEqual({ status: 'unavailable', reason: 'bucket locks: timeout' });
    expect(model.silences).toEqual({ status: 'ok', rows: [], total: 0 });
    expect(model.crew.status).toBe('ok');
  });

  it('puts the SLOs that need eyes first: alerting, then the least budget left', async () => {
    const slo = (service: string, alerting: boolean, left: number | null): SloView => ({
      service,
      objective: 'availability',
      target: 0.99,
      budget_remaining_ratio: left,
      burn_rate_1h: null,
      alerting,
    });
    const model = await service({
      slos: () =>
        Promise.resolve([
          slo('a', false, 0.9),
          slo('b', false, null),
          slo('c', true, 0.5),
          slo('d', false, 0.1),
        ]),
    }).build(NOW);
    expect(model.slos.status === 'ok' && model.slos.rows.map((r) => r.service)).toEqual([
      'c',
      'd',
      'a',
      'b',
    ]);
  });
});
