import { type OutboxItemRecord } from '@opscrew/contracts';
import { itemKey } from '@opscrew/guardrails';
import { ticketKey } from '@opscrew/incident';
import { IncidentTicketLookup } from './incident-tickets.lookup';

function item(state: OutboxItemRecord['state'], resultRef?: string): OutboxItemRecord {
  return {
    kind: 'ticket.create',
    state,
    idempotency_key: 'ticket:x',
    created_at: '2026-12-07T00:00:00.000Z',
    updated_at: '2026-12-07T00:00:00.000Z',
    order: 1,
    attempts: 1,
    next_attempt_at: '2026-12-07T00:00:00.000Z',
    ...(resultRef === undefined ? {} : { result_ref: resultRef }),
  };
}

describe('IncidentTicketLookup', () => {
  const items = new Map<string, OutboxItemRecord>([
    [itemKey('ticket.create', ticketKey('INC-20261207-001-0001')), item('delivered', 'OPS-7')],
    [itemKey('ticket.create', ticketKey('INC-20261207-002-0001')), item('pending')],
  ]);
  const outbox = {
    get: (key: string) => {
      const value = items.get(key);
      return Promise.resolve(value === undefined ? null : { value, revision: 1 });
    },
  };
  const ids = ['INC-20261207-001-0001', 'INC-20261207-002-0001', 'INC-20261207-003-0001'];

  it('finds the ticket ops-monitor created for the incident, with a Jira link', async () => {
    const found = await new IncidentTicketLookup(outbox, 'https://jira.example.com/').tickets(ids);
    expect(found.get('INC-20261207-001-0001')).toEqual({
      key: 'OPS-7',
      url: 'https://jira.example.com/browse/OPS-7',
      state: 'delivered',
    });
    expect(found.get('INC-20261207-002-0001')).toEqual({ key: null, url: null, state: 'pending' });
    expect(found.has('INC-20261207-003-0001')).toBe(false);
  });

  it('has no link for the local tracker, nor for a base URL that is not http(s)', async () => {
    for (const base of [null, 'javascript:alert(1)//']) {
      const found = await new IncidentTicketLookup(outbox, base).tickets(ids);
      expect(found.get('INC-20261207-001-0001')?.url).toBeNull();
    }
  });
});
