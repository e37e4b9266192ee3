import { type SchedulerRegistry } from '@nestjs/schedule';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { buildEvent, IncidentRecord } from '@opscrew/contracts';
import { type OutboxCommand, type OutboxService } from '@opscrew/guardrails';
import { type EventPublisher, IncidentLedger, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { type AccuracyFeedbackReader } from '../quality/accuracy-feedback.reader';
import { QualityTracker } from '../quality/quality.tracker';
import { DailyReportService } from './daily-report.service';

describe('DailyReportService', () => {
  it('reports the last 24 h of incidents and the self-evaluation, as an event and a notification', async () => {
    const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    const ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
    const detected = (id: string, severity: 'high' | 'low', at: string) =>
      buildEvent(
        'incident.detected',
        {
          incident_id: id,
          fingerprint: `cart:${id}`,
          service: 'cart',
          symptom: 'high_error_rate',
          severity,
          value: 0.2,
          detected_at: at,
        },
        'ops-monitor',
      );
    await ledger.open(detected('INC-20261124-001', 'high', '2026-11-24T08:00:00.000Z'));
    await ledger.open(detected('INC-20261124-002', 'low', '2026-11-24T08:30:00.000Z'));
    await ledger.open(detected('INC-20261122-001', 'high', '2026-11-22T08:00:00.000Z'));
    const quality = new QualityTracker({
      accuracy_ratio: 0.9,
      completeness_ratio: 1,
      actionability_ratio: 0.95,
    });
    quality.recordCycle(new Date('2026-11-24T08:59:45Z'), ['cart', 'ad'], []);
    quality.recordTicket(true);
    const published: { subject: string; payload: unknown; id?: string }[] = [];
    const enqueued: OutboxCommand[] = [];
    const service = new DailyReportService(
      loaded,
      {
        enqueue: (command: OutboxCommand) => Promise.resolve(void enqueued.push(command)),
      } as unknown as OutboxService,
      {} as SchedulerRegistry,
      ledger,
      {
        publish: (subject: string, payload: unknown, options?: { id?: string }) =>
          Promise.resolve(
            void published.push({ subject, payload, ...(options?.id ? { id: options.id } : {}) }),
          ),
      } as unknown as EventPublisher,
      quality,
      {
        read: () =>
          Promise.resolve({
            true_positives: 9,
            false_positives: 1,
            missed: 0,
            runs: 10,
            updated_at: '2026-11-24T08:00:00.000Z',
          }),
      } as AccuracyFeedbackReader,
    );
    const text = await service.send('ops-monitor-daily', new Date('2026-11-24T09:00:00Z'));
    expect(text).toBe(
      '2 incident(s) in the last 24 h (1 high, 1 low); completeness 100.0 %, actionability 100.0 %, accuracy 90.0 %; 1 cycles',
    );
    expect(published).toEqual([
      {
        subject: 'report.ops-monitor-daily',
        payload: { kind: 'ops-monitor-daily', title: 'ops-monitor daily report 2026-11-24', text },
        id: 'report.ops-monitor-daily.2026-11-24',
      },
    ]);
    expect(enqueued).toEqual([
      {
        kind: 'notify',
        notification: expect.objectContaining({
          idempotency_key: 'report:ops-monitor-daily:2026-11-24',
          kind: 'report',
          text,
        }),
      },
    ]);
  });
});
