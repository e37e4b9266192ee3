import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  buildEvent,
  IncidentRecord,
  RemediationRunRecord,
  RestartLogRecord,
  TicketClaimRecord,
} from '@opscrew/contracts';
import { counterSchema, IncidentIdAllocator, IncidentLedger, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { type Ticket, type TrackerPort } from '@opscrew/ports';
import { RemediationRunsRepository } from '../remediation/remediation-runs.repository';
import { type NewIncident, type RemediationEngine } from '../remediation/remediation.engine';
import { type PublisherLike } from '../remediation/remediation.deps';
import { TodoTicketPoller } from './todo-ticket.poller';

const config = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;

describe('TodoTicketPoller (Jira To Do tickets labelled auto-detected)', () => {
  const ticket = (key: string, labels: string[], incidentId = ''): Ticket => ({
    key,
    status: 'todo',
    summary: `ticket ${key}`,
    incident_id: incidentId,
    labels,
  });

  const setup = (tickets: Ticket[]) => {
    const remediations = new FakeKv('remediations').asKv();
    const runs = new RemediationRunsRepository(
      new TypedKv(remediations, 'remediations', { class: RemediationRunRecord }),
      new TypedKv(remediations, 'remediations', { class: RestartLogRecord }),
      () => Promise.resolve([]),
      new TypedKv(remediations, 'remediations', { class: TicketClaimRecord }),
    );
    const ledger = new IncidentLedger(
      new TypedKv(new FakeKv('incidents').asKv(), 'incidents', { class: IncidentRecord }),
    );
    const enqueued: { incident: NewIncident; ticketKey?: string }[] = [];
    const engine = {
      enqueue: (incident: NewIncident, _attempt?: number, ticketKey?: string) => {
        enqueued.push({ incident, ...(ticketKey ? { ticketKey } : {}) });
        return Promise.resolve(true);
      },
    } as unknown as RemediationEngine;
    const publisher: PublisherLike = {
      publish: (subject, payload) =>
        Promise.resolve({ event: buildEvent(subject, payload, 'jira-resolver') }),
    };
    const tracker = { listByStatus: () => Promise.resolve(tickets) } as unknown as TrackerPort;
    const poller = new TodoTicketPoller(
      tracker,
      engine,
      runs,
      ledger,
      new IncidentIdAllocator(
        new TypedKv(new FakeKv('sequences').asKv(), 'sequences', counterSchema),
      ),
      publisher,
      config,
    );
    return { poller, enqueued, ledger };
  };

  it('takes a human-filed ticket naming its service as a new incident tracked on that ticket, once', async () => {
    const { poller, enqueued, ledger } = setup([
      ticket('OPS-7', ['auto-detected', 'service-cartservice', 'symptom-high_latency']),
    ]);
    const taken = await poller.poll();
    expect(taken).toEqual([expect.stringMatching(/^OPS-7 → INC-\d{8}-001-[0-9a-z]{4}$/)]);
    expect(enqueued).toEqual([
      {
        incident: expect.objectContaining({ service: 'cart', symptom: 'high_latency' }),
        ticketKey: 'OPS-7',
      },
    ]);
    expect((await ledger.list())[0]).toMatchObject({
      service: 'cart',
      detected_by: 'jira-resolver',
    });
    expect(await poller.poll()).toEqual([]); // claimed: not taken twice
    expect(enqueued).toHaveLength(1);
  });

  it('leaves a ticket without a known service alone (and says why once)', async () => {
    const { poller, enqueued } = setup([
      ticket('OPS-8', ['auto-detected']),
      ticket('OPS-9', ['auto-detected', 'service-mainframe']),
    ]);
    expect(await poller.poll()).toEqual([]);
    expect(enqueued).toEqual([]);
  });

  it('starts a run for a known incident whose ticket waits in To Do without one', async () => {
    const { poller, enqueued, ledger } = setup([
      ticket('OPS-3', ['auto-detected'], 'INC-20261124-004'),
    ]);
    await ledger.open(
      buildEvent(
        'incident.detected',
        {
          incident_id: 'INC-20261124-004',
          fingerprint: 'ad:high_error_rate',
          service: 'ad',
          symptom: 'high_error_rate',
          severity: 'high',
          value: 0.3,
          detected_at: '2026-11-24T10:00:00.000Z',
        },
        'ops-monitor',
      ),
    );
    expect(await poller.poll()).toEqual(['OPS-3 → INC-20261124-004']);
    expect(enqueued).toEqual([
      {
        incident: {
          incident_id: 'INC-20261124-004',
          service: 'ad',
          symptom: 'high_error_rate',
          severity: 'high',
        },
      },
    ]);
  });
});
