import { type AgentNotices } from '@opscrew/agent-core';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { buildEvent } from '@opscrew/contracts';
import { type Notification } from '@opscrew/ports';
import { ReportForwarder } from './report-forwarder.service';

/** The shared outbox as far as atlas sees it: idempotent by key (first one wins). */
class FakeNotices implements AgentNotices {
  readonly items = new Map<string, Notification>();
  enqueue(command: { kind: 'notify'; notification: Notification }): Promise<{ created: boolean }> {
    const key = command.notification.idempotency_key;
    const created = !this.items.has(key);
    if (created) this.items.set(key, command.notification);
    return Promise.resolve({ created });
  }
}

describe('ReportForwarder', () => {
  const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  const daily = buildEvent(
    'report.ops-monitor-daily',
    {
      kind: 'ops-monitor-daily',
      title: 'ops-monitor daily report 2026-12-07',
      text: 'Last 24 h: 2 incident(s) opened.',
      fields: { opened: 2, top_service: 'cart' },
    },
    'ops-monitor',
    { id: 'report.ops-monitor-daily.2026-12-07T00:00:00.000Z' },
  );

  it('enqueues one report notification per event, keyed by the event id (a redelivery sends nothing more)', async () => {
    const notices = new FakeNotices();
    const forwarder = new ReportForwarder(loaded, notices);
    expect(await forwarder.forward(daily)).toBe(true);
    expect(await forwarder.forward(daily)).toBe(true);
    expect([...notices.items.values()]).toEqual([
      {
        idempotency_key: 'report:report.ops-monitor-daily.2026-12-07T00:00:00.000Z',
        kind: 'report',
        severity: 'info',
        title: 'ops-monitor daily report 2026-12-07',
        text: 'Last 24 h: 2 incident(s) opened.',
        fields: [
          { name: 'opened', value: '2', inline: true },
          { name: 'top service', value: 'cart', inline: true },
        ],
      },
    ]);
  });

  it('forwards every scheduled report, whoever sent it, and no event-log report', async () => {
    const notices = new FakeNotices();
    const forwarder = new ReportForwarder(loaded, notices);
    const report = (kind: string, source: 'atlas' | 'ops-monitor') =>
      buildEvent(`report.${kind}`, { kind, title: kind, text: 'x' }, source);
    expect(await forwarder.forward(report('slo-daily', 'atlas'))).toBe(true);
    expect(await forwarder.forward(report('deadletter-summary', 'atlas'))).toBe(true);
    // Liveness is already a notice of atlas's; data quality is in the daily report.
    expect(await forwarder.forward(report('liveness', 'atlas'))).toBe(false);
    expect(await forwarder.forward(report('data-quality', 'ops-monitor'))).toBe(false);
    expect([...notices.items.values()].map((n) => n.title)).toEqual([
      'slo-daily',
      'deadletter-summary',
    ]);
  });
});
