import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type IncidentDetectedEvent } from '@opscrew/contracts';
import { type MessageMeta } from '@opscrew/messaging';
import { type TicketDraft } from '@opscrew/ports';
import { type RemediationEngine } from '../remediation/remediation.engine';
import { type RemediationWorker } from '../remediation/remediation.worker';
import { type TicketGateway } from '../tickets/ticket.gateway';
import { IncidentIntakeService } from './incident-intake.service';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });

const event = {
  incident_id: 'INC-20261124-007-7k2q',
  fingerprint: 'cart:high_error_rate',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  value: 0.12,
  threshold: 0.02,
  metric: 'error_rate_ratio',
  detected_at: '2026-11-24T10:00:00.000Z',
  source: 'cli',
  reporters: ['cli'],
} as unknown as IncidentDetectedEvent;

const meta: MessageMeta = {
  subject: 'incident.detected',
  publisher: 'cli',
  seq: 1,
  deliveryCount: 1,
  redelivered: false,
};

function intake(): {
  service: IncidentIntakeService;
  drafts: TicketDraft[];
  enqueued: unknown[];
} {
  const drafts: TicketDraft[] = [];
  const enqueued: unknown[] = [];
  const engine = {
    enqueue: (incident: unknown) => {
      enqueued.push(incident);
      return Promise.resolve(true);
    },
  } as unknown as RemediationEngine;
  const worker = { kick: () => Promise.resolve() } as unknown as RemediationWorker;
  const tickets = {
    ensure: (draft: TicketDraft) => {
      drafts.push(draft);
      return Promise.resolve();
    },
  } as unknown as TicketGateway;
  return { service: new IncidentIntakeService(engine, worker, tickets, loaded), drafts, enqueued };
}

describe('IncidentIntakeService', () => {
  it('tickets an incident the crew did not detect itself from the event as the ledger names it', async () => {
    const { service, drafts } = intake();
    await service.receive(event, meta);
    expect(drafts).toHaveLength(1);
    const draft = drafts[0] as TicketDraft;
    expect(draft.summary).toBe('[Auto] cart: error rate spike (12.0 %)');
    expect(draft.idempotency_key).toBe('ticket:INC-20261124-007-7k2q');
    const sections = Object.fromEntries(draft.sections.map((s) => [s.label, s.text]));
    expect(sections['Detected at']).toBe('2026-11-24T10:00:00.000Z');
    expect(JSON.stringify(draft)).toContain('reported by cli');
  });

  it('opens the run from the incident identity alone', async () => {
    const { service, enqueued } = intake();
    await service.receive(event, meta);
    expect(enqueued).toStrictEqual([
      {
        incident_id: 'INC-20261124-007-7k2q',
        service: 'cart',
        symptom: 'high_error_rate',
        severity: 'high',
      },
    ]);
  });
});
