import { bounded, STATUS_ROW_LIMITS, type IncidentRow, type StatusModel } from '../status-model';

/** Test data for the renderer: a model with a row in every section, at a fixed instant. */
export const FIXTURE_NOW = '2026-12-07T01:00:00.000Z';

export function incidentRow(n: number, overrides: Partial<IncidentRow> = {}): IncidentRow {
  return {
    incident_id: `INC-20261207-${String(n).padStart(3, '0')}-0001`,
    service: 'checkout',
    symptom: 'error_rate_high',
    severity: 'high',
    phase: 'triaged',
    detected_at: '2026-12-07T00:58:00.000Z',
    updated_at: '2026-12-07T00:59:30.000Z',
    ticket: { key: 'OPS-12', url: 'https://jira.example.com/browse/OPS-12', state: 'delivered' },
    ...overrides,
  };
}

export function fixtureModel(overrides: Partial<StatusModel> = {}): StatusModel {
  return {
    generated_at: FIXTURE_NOW,
    refresh_s: 10,
    crew: bounded(
      [
        {
          agent: 'atlas',
          state: 'alive',
          last_heartbeat_at: '2026-12-07T00:59:58.000Z',
          heartbeat_age_s: 2,
          max_age_s: 30,
          version: '0.1.0',
          pid: 4242,
          replicas: [
            { replica: 'atlas-0', stale: false, at: '2026-12-07T00:59:58.000Z', pid: 4242 },
          ],
        },
        {
          agent: 'ops-monitor',
          state: 'stale',
          last_heartbeat_at: '2026-12-07T00:57:00.000Z',
          heartbeat_age_s: 180,
          max_age_s: 30,
          version: '0.1.0',
          pid: 4243,
          replicas: [
            { replica: 'ops-monitor-1', stale: true, at: '2026-12-07T00:57:00.000Z', pid: 4243 },
            { replica: 'ops-monitor-0', stale: true, at: '2026-12-07T00:50:00.000Z', pid: 4100 },
          ],
        },
      ],
      10,
    ),
    incidents: bounded([incidentRow(1)], STATUS_ROW_LIMITS.incidents),
    locks: bounded(
      [
        {
          key: 'service.checkout',
          service: 'checkout',
          holder: 'jira-resolver-host-1-abc:INC-20261207-001-0001',
          reason: 'restart checkout',
          expires_at: '2026-12-07T01:00:42.000Z',
          expires_in_s: 42,
          state: 'live',
        },
      ],
      STATUS_ROW_LIMITS.locks,
    ),
    silences: bounded(
      [
        {
          service: 'payments',
          until: '2026-12-07T02:00:00.000Z',
          reason: 'maintenance',
          by: 'alice',
        },
      ],
      STATUS_ROW_LIMITS.silences,
    ),
    slos: bounded(
      [
        {
          service: 'checkout',
          objective: 'availability',
          target: 0.995,
          budget_remaining_ratio: 0.42,
          burn_rate_1h: 2.5,
          alerting: true,
        },
      ],
      STATUS_ROW_LIMITS.slos,
    ),
    reports: bounded(
      [{ name: 'liveness', title: 'ops-monitor is stale', at: '2026-12-07T00:58:00.000Z' }],
      STATUS_ROW_LIMITS.reports,
    ),
    ...overrides,
  };
}
