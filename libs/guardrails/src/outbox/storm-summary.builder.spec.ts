import { type OutboxItemRecord } from '@opscrew/contracts';
import { buildStormSummary } from './storm-summary.builder';

const limits = {
  ticket_creates_per_window: 10,
  ticket_window_ms: 3_600_000,
  notifications_per_window: 5,
  notification_window_ms: 60_000,
};
const at = '2025-01-31T12:00:00.000Z';
const base = {
  state: 'held' as const,
  created_at: at,
  updated_at: at,
  order: 1,
  attempts: 0,
  next_attempt_at: at,
};

const notify = (
  id: string,
  severity: 'critical' | 'high' | 'low',
  roles?: string[],
): OutboxItemRecord => ({
  ...base,
  kind: 'notify',
  idempotency_key: `notify:${id}`,
  notification: {
    idempotency_key: `notify:${id}`,
    kind: 'incident',
    severity,
    title: `Alert ${id}`,
    text: 't',
    fields: [],
    incident_id: id,
    ...(roles === undefined ? {} : { mention_roles: roles }),
  },
});
const create = (id: string): OutboxItemRecord => ({
  ...base,
  kind: 'ticket.create',
  idempotency_key: `ticket:${id}`,
  ticket_draft: {
    idempotency_key: `ticket:${id}`,
    incident_id: id,
    summary: `Ticket ${id}`,
    sections: [],
    labels: [],
    severity: 'low',
    service: 'cart',
  },
});

describe('storm summary', () => {
  it('groups by incident, most severe first, with counts and the union of roles', () => {
    const summary = buildStormSummary(
      'summary:1',
      [
        notify('INC-2', 'high'),
        create('INC-2'),
        notify('INC-1', 'critical', ['oncall-engineer']),
        create('INC-3'),
      ],
      limits,
      40,
    );
    expect(summary).toMatchObject({
      idempotency_key: 'summary:1',
      kind: 'summary',
      severity: 'critical',
      mention_roles: ['oncall-engineer'],
    });
    expect(summary.text.split('\n')).toEqual([
      'Rate limits held back 2 alert(s) and 2 ticket creation(s) (alerts: 5 per minute, tickets: 10 per hour). Nothing was dropped: every incident stays in the ledger.',
      '',
      '• [critical] INC-1 — Alert INC-1 (alert held)',
      '• [high] INC-2 — Alert INC-2 (alert held, ticket not opened)',
      '• [low] INC-3 — Ticket INC-3 (ticket not opened)',
    ]);
    expect(summary.fields).toEqual([
      { name: 'Alerts held back', value: '2', inline: true },
      { name: 'Tickets not opened', value: '2', inline: true },
      { name: 'Incidents by severity', value: 'critical 1 · high 1 · low 1', inline: false },
    ]);
  });

  it('lists at most maxLines incidents and counts the rest', () => {
    const many = Array.from({ length: 100 }, (_, i) => notify(`INC-${i}`, 'low'));
    const summary = buildStormSummary('summary:2', many, limits, 40);
    expect(summary.text.split('\n').filter((l) => l.startsWith('•'))).toHaveLength(40);
    expect(summary.text).toContain('… and 60 more incident(s)');
    expect(summary.text.length).toBeLessThanOrEqual(4096);
  });
});
