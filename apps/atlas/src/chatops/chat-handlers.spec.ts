import { type IncidentRecord } from '@opscrew/contracts';
import { type IncidentAckDependencies } from '@opscrew/guardrails';
import { type AgentLiveness } from '../liveness/agent-liveness';
import { AckCommand, ackerOf } from './ack.command';
import { type ChatCaller } from './chat-command';
import { ChatCommandError } from './chat-command.error';
import { type ChatCrewSources, type TicketState } from './chat-crew.sources';
import { IncidentCommand } from './incident.command';
import { STATUS_INCIDENTS_MAX, StatusCommand } from './status.command';

const cli: ChatCaller = { via: 'cli', id: 'alice', name: 'alice' };

function incident(n: number, extra: Partial<IncidentRecord> = {}): IncidentRecord {
  const at = `2025-01-31T10:${String(n % 60).padStart(2, '0')}:00.000Z`;
  return {
    incident_id: `INC-20250131-${String(n).padStart(3, '0')}-7k2q`,
    fingerprint: `cart:high_error_rate`,
    service: 'cart',
    symptom: 'high_error_rate',
    severity: 'high',
    phase: 'detected',
    detected_by: 'ops-monitor',
    detected_at: at,
    updated_at: at,
    value: 0.2,
    count: 1,
    last_value: 0.2,
    peak_value: 0.3,
    history: [{ at, phase: 'detected', source: 'ops-monitor', event_id: `e${n}` }],
    ...extra,
  };
}

function sources(
  incidents: IncidentRecord[],
  ticket: TicketState = { state: 'none' },
): ChatCrewSources {
  return {
    liveness: () =>
      Promise.resolve([
        {
          agent: 'atlas',
          enabled: true,
          state: 'alive',
          heartbeat_age_s: 2,
          last_heartbeat_at: null,
          max_age_s: 30,
          version: null,
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
      ]),
    incidents: () => Promise.resolve(incidents),
    incident: (id) => Promise.resolve(incidents.find((i) => i.incident_id === id) ?? null),
    ticketOf: () => Promise.resolve(ticket),
  };
}

describe('StatusCommand', () => {
  it('lists the agents and only open incidents, capped, counting the rest', async () => {
    const many = Array.from({ length: STATUS_INCIDENTS_MAX + 3 }, (_, n) => incident(n + 1));
    const closed = incident(99, { phase: 'resolved' });
    const { text } = await new StatusCommand(sources([...many, closed])).execute({});
    expect(text).toMatch(
      /^Agents:\n- atlas: alive \(2 s ago\)\n- demo-controller: disabled \(no heartbeat yet\)\n/,
    );
    expect(text).toContain(`Open incidents (${many.length}):`);
    expect(text).not.toContain('INC-20250131-099');
    expect(text.split('\n').filter((line) => line.startsWith('- INC-'))).toHaveLength(
      STATUS_INCIDENTS_MAX,
    );
    expect(text).toMatch(/… and 3 more$/);
  });

  it("says how many of an agent's replicas beat, and names the stale ones", async () => {
    const replica = (name: string, stale: boolean) => ({
      replica: name,
      stale,
      at: '2025-01-31T12:00:00.000Z',
      heartbeat_age_s: stale ? 300 : 2,
      pid: 7,
      version: '0.1.0',
      started_at: '2025-01-31T11:00:00.000Z',
      uptime_s: 3600,
    });
    const crew = sources([]);
    const [atlas] = await crew.liveness();
    const withReplicas: ChatCrewSources = {
      ...crew,
      liveness: () =>
        Promise.resolve([
          {
            ...(atlas as AgentLiveness),
            replicas: [
              replica('atlas-a', false),
              replica('atlas-b', false),
              replica('atlas-c', true),
            ],
          },
        ]),
    };
    const { text } = await new StatusCommand(withReplicas).execute({});
    expect(text).toContain('- atlas: alive (2 s ago), 2/3 replicas fresh (stale: atlas-c)');
  });

  it("answers one service's incidents, resolved ones included", async () => {
    const command = new StatusCommand(
      sources([
        incident(1),
        incident(2, { phase: 'resolved', service: 'cart' }),
        incident(3, { service: 'ad' }),
      ]),
    );
    expect((await command.execute({ service: 'cart' })).text).toMatch(
      /^cart: 2 incident\(s\), 1 open\n/,
    );
    expect((await command.execute({ service: 'payment' })).text).toBe('No incidents for payment.');
  });
});

describe('IncidentCommand', () => {
  it('shows phase, severity, ticket and the last steps', async () => {
    const history = Array.from({ length: 8 }, (_, n) => ({
      at: `2025-01-31T10:0${n}:00.000Z`,
      phase: 'actioned' as const,
      source: 'jira-resolver' as const,
      event_id: `e${n}`,
      note: `step ${n}`,
    }));
    const record = incident(1, { phase: 'actioned', history });
    const { text } = await new IncidentCommand(
      sources([record], { state: 'created', key: 'OPS-12' }),
    ).execute({ id: record.incident_id });
    expect(text.split('\n').slice(0, 3)).toEqual([
      `${record.incident_id}: cart high_error_rate`,
      'phase actioned, severity high',
      'ticket: OPS-12',
    ]);
    expect(text).toContain('last 5 step(s):');
    expect(text).toMatch(/step 7$/);
    expect(text).not.toContain('step 2');
  });

  it('refuses an unknown incident', async () => {
    await expect(
      new IncidentCommand(sources([])).execute({ id: 'INC-20250131-001-7k2q' }),
    ).rejects.toEqual(new ChatCommandError('No incident INC-20250131-001-7k2q.'));
  });
});

describe('AckCommand', () => {
  it('acknowledges through the shared ack use case, as the caller', async () => {
    const acked: string[] = [];
    const deps: IncidentAckDependencies = {
      ledger: { get: () => Promise.resolve(null) },
      escalations: {
        get: () => Promise.resolve(null),
        ack: (id: string, by: string) => {
          acked.push(`${id} by ${by}`);
          return Promise.resolve({ outcome: 'unknown' as const });
        },
      },
      publisher: { publish: () => Promise.resolve() },
    };
    await expect(
      new AckCommand(deps).execute({ id: 'INC-20250131-001-7k2q' }, cli),
    ).rejects.toEqual(new ChatCommandError('No incident INC-20250131-001-7k2q.'));
    expect(acked).toEqual(['INC-20250131-001-7k2q by alice']);
  });

  it('names the acker by handle, or by Discord id when the name is not a handle', () => {
    expect(ackerOf({ via: 'discord', id: '1100000000000000001', name: 'dora.k' })).toBe('dora.k');
    expect(ackerOf({ via: 'discord', id: '1100000000000000001', name: '.weird name' })).toBe(
      'discord-1100000000000000001',
    );
  });
});
