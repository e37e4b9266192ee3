import { buildEvent, IncidentRecord } from '@opscrew/contracts';
import { IncidentLedger, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { type AccuracyFeedbackReader } from '../quality/accuracy-feedback.reader';
import { QualityTracker } from '../quality/quality.tracker';
import { incidentWindow } from './incident-window';
import { OpsMonitorDailyReport } from './ops-monitor-daily.report';

const NOW = new Date('2026-11-24T09:00:00Z');

function detected(id: string, service: string, severity: 'high' | 'low', at: string) {
  return buildEvent(
    'incident.detected',
    {
      incident_id: id,
      fingerprint: `${service}:${id}`,
      service,
      symptom: 'high_error_rate',
      severity,
      value: 0.2,
      detected_at: at,
    },
    'ops-monitor',
  );
}

describe('OpsMonitorDailyReport', () => {
  it('reports incidents opened, resolved and escalated in 24 h, the noisiest services and data quality', async () => {
    const ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
    await ledger.open(detected('INC-20261124-001', 'cart', 'high', '2026-11-24T08:00:00.000Z'));
    await ledger.open(detected('INC-20261124-002', 'cart', 'low', '2026-11-24T08:30:00.000Z'));
    await ledger.open(detected('INC-20261124-003', 'ad', 'low', '2026-11-24T08:40:00.000Z'));
    await ledger.open(detected('INC-20261122-001', 'ad', 'high', '2026-11-22T08:00:00.000Z'));
    const quality = new QualityTracker({
      accuracy_ratio: 0.9,
      completeness_ratio: 1,
      actionability_ratio: 0.95,
    });
    quality.recordCycle(new Date('2026-11-24T08:59:45Z'), ['cart', 'ad'], []);
    quality.recordTicket(true);
    const feedback = {
      read: () =>
        Promise.resolve({
          true_positives: 9,
          false_positives: 1,
          missed: 0,
          runs: 10,
          updated_at: '2026-11-24T08:00:00.000Z',
        }),
    } as AccuracyFeedbackReader;
    const report = await new OpsMonitorDailyReport(ledger, quality, feedback).build(NOW);
    expect(report.title).toBe('ops-monitor daily report 2026-11-24');
    expect(report.text.split('\n')).toEqual([
      'Last 24 h: 3 incident(s) opened (1 high, 2 low), 0 resolved, 0 escalated.',
      'Noisiest services:',
      '- cart: 2 incident(s), 2 detection(s)',
      '- ad: 1 incident(s), 1 detection(s)',
      'Data quality over 1 cycle(s): completeness 100.0 % (target 100.0 %), actionability 100.0 % (target 95.0 %), accuracy 90.0 % (target 90.0 %).',
    ]);
    expect(report.fields).toEqual({
      opened: 3,
      resolved: 0,
      escalated: 0,
      noisiest: 'cart',
      completeness: '100.0 %',
      actionability: '100.0 %',
      accuracy: '90.0 %',
    });
  });
});

describe('incidentWindow', () => {
  it('counts each incident at most once per figure, only within the window (any mix)', () => {
    const phases = ['resolved', 'escalated', 'reopened'] as const;
    for (let seed = 1; seed <= 50; seed += 1) {
      const incidents: IncidentRecord[] = [];
      for (let i = 0; i < seed % 9; i += 1) {
        const hour = (seed * 7 + i * 5) % 48;
        const at = new Date(Date.UTC(2026, 10, 23, hour)).toISOString();
        const step = phases[(seed + i) % 3] ?? 'resolved';
        incidents.push({
          incident_id: `INC-${seed}-${i}`,
          service: `svc${i % 3}`,
          severity: 'low',
          detected_at: at,
          count: 1 + (i % 4),
          history: [
            { at, phase: 'detected', source: 'ops-monitor', event_id: 'e' },
            { at, phase: step, source: 'jira-resolver', event_id: 'f' },
            { at, phase: step, source: 'jira-resolver', event_id: 'g' },
          ],
        } as unknown as IncidentRecord);
      }
      const since = Date.parse('2026-11-24T00:00:00Z');
      const window = incidentWindow(incidents, since, since + 86_400_000);
      const inside = incidents.filter((x) => Date.parse(x.detected_at) >= since);
      expect(window.opened).toBe(inside.length);
      expect(window.resolved + window.escalated).toBeLessThanOrEqual(inside.length);
      expect(window.noisy.reduce((n, s) => n + s.incidents, 0)).toBe(inside.length);
      expect([...window.by_severity.values()].reduce((a, b) => a + b, 0)).toBe(inside.length);
    }
  });
});
