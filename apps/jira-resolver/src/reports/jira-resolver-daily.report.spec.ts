import { type IncidentRecord, type RemediationRunRecord } from '@opscrew/contracts';
import { type IncidentLedger } from '@opscrew/messaging';
import { type RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { duration, JiraResolverDailyReport } from './jira-resolver-daily.report';
import { NO_RUNBOOK, resolverWindow } from './resolver-window';

const NOW = new Date('2026-11-24T09:30:00Z');

function run(
  id: string,
  state: RemediationRunRecord['state'],
  runbook: string | null,
  actions: string[],
  at = '2026-11-24T08:00:00.000Z',
): RemediationRunRecord {
  return {
    incident_id: id,
    state,
    runbook,
    created_at: at,
    updated_at: at,
    steps: actions.map((action, i) => ({
      step: i,
      action,
      result: action === 'skip_me' ? 'skipped' : 'ok',
      detail: '',
      at,
    })),
  } as unknown as RemediationRunRecord;
}

function incident(
  id: string,
  service: string,
  detected: string,
  steps: [IncidentRecord['phase'], string][],
): IncidentRecord {
  return {
    incident_id: id,
    service,
    detected_at: detected,
    history: steps.map(([phase, at]) => ({ phase, at, source: 'jira-resolver', event_id: at })),
  } as unknown as IncidentRecord;
}

describe('JiraResolverDailyReport', () => {
  const runs = [
    run('INC-1', 'succeeded', 'restart-on-errors', ['restart_service', 'verify_metrics']),
    run('INC-2', 'succeeded', 'restart-on-errors', ['restart_service', 'verify_metrics']),
    run('INC-3', 'failed', 'scale-on-latency', ['check_latency_trend', 'skip_me']),
    run('INC-4', 'running', null, []),
    // Yesterday's: not in today's figures.
    run('INC-0', 'failed', 'restart-on-errors', ['restart_service'], '2026-11-22T08:00:00.000Z'),
  ];
  const incidents = [
    incident('INC-1', 'cart', '2026-11-24T07:00:00.000Z', [
      ['resolved', '2026-11-24T07:05:00.000Z'],
    ]),
    incident('INC-2', 'ad', '2026-11-24T07:00:00.000Z', [['resolved', '2026-11-24T07:15:00.000Z']]),
    incident('INC-3', 'cart', '2026-11-24T07:00:00.000Z', [
      ['escalated', '2026-11-24T08:10:00.000Z'],
    ]),
  ];

  it('reports tickets worked, auto-resolution rate, MTTR, escalations and actions by runbook', async () => {
    const report = new JiraResolverDailyReport(
      { all: () => Promise.resolve(runs) } as unknown as RemediationRunsRepository,
      { list: () => Promise.resolve(incidents) } as unknown as IncidentLedger,
    );
    const content = await report.build(NOW);
    expect(content.title).toBe('jira-resolver daily report 2026-11-24');
    expect(content.text.split('\n')).toEqual([
      'Last 24 h: 4 ticket(s) worked — 2 fixed and verified, 1 failed, 0 skipped, 1 still in progress.',
      'Auto-resolution rate 66.7 %; MTTR 10 min 0 s over 2 resolved incident(s).',
      'Escalations: 1',
      '- INC-3 (cart) at 2026-11-24T08:10:00.000Z',
      'Actions by runbook:',
      '- restart-on-errors: 2 run(s), 2 succeeded (restart_service ×2, verify_metrics ×2)',
      '- (no runbook): 1 run(s), 0 succeeded',
      '- scale-on-latency: 1 run(s), 0 succeeded (check_latency_trend ×1)',
    ]);
    expect(content.fields).toEqual({
      worked: 4,
      auto_resolution: '66.7 %',
      mttr: '10 min 0 s',
      escalations: 1,
      runbooks_used: 3,
    });
  });

  it('says n/a, not 0 %, when nothing finished', () => {
    const day = resolverWindow(
      [run('INC-4', 'running', null, [])],
      [],
      0,
      Date.parse(NOW.toISOString()),
    );
    expect(day.auto_resolution_ratio).toBeNull();
    expect(day.mttr_s).toBeNull();
    expect(day.by_runbook).toEqual([{ runbook: NO_RUNBOOK, runs: 1, succeeded: 0, actions: [] }]);
  });

  it('writes durations a human reads at a glance', () => {
    expect(duration(59)).toBe('59 s');
    expect(duration(605)).toBe('10 min 5 s');
    expect(duration(7_380)).toBe('2 h 3 min');
  });
});
