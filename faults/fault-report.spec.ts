import { account } from './fault-accounting';
import { judge, reportOf, summaryLine } from './fault-report';

const BASE = {
  experiment: 'agent-kill',
  title: 'agent replica kill -9 mid-incident',
  mode: 'short',
  world: { replicas: 2, nats_nodes: 3 },
  started_at: '2026-12-07T08:00:00.000Z',
  duration_s: 12.5,
} as const;

describe('fault report', () => {
  const clean = account({ injected: [], incidents: [] });

  it('passes an outcome with clean figures and holding checks, fails one whose check failed', () => {
    expect(judge({ rounds: 1, figures: clean, recover_s: [1] })).toBe('passed');
    expect(
      judge({ rounds: 1, figures: clean, recover_s: [1], checks: { detection_resumed: false } }),
    ).toBe('failed');
    expect(judge({ rounds: 1, figures: { ...clean, lost: 1 }, recover_s: [1] })).toBe('failed');
  });

  it('gives no worst recovery when a round never recovered', () => {
    expect(reportOf(BASE, { rounds: 2, figures: clean, recover_s: [1.24, 3] }).recover_max_s).toBe(
      3,
    );
    expect(
      reportOf(BASE, { rounds: 2, figures: clean, recover_s: [1, Number.NaN] }).recover_max_s,
    ).toBeNull();
  });

  it('prints one line per experiment, also for an error whose reason spans lines', () => {
    const line = summaryLine({
      ...BASE,
      status: 'error',
      reason: 'invalid configuration (1 problem):\nbus.replicas: unknown key',
    });
    expect(line).not.toContain('\n');
    expect(line).toMatch(
      /^ERROR\s+agent-kill \[2×agent, 3 NATS\]: invalid configuration .* bus\.replicas/,
    );
    expect(summaryLine(reportOf(BASE, { rounds: 1, figures: clean, recover_s: [2] }))).toMatch(
      /^PASSED\s+agent-kill \[2×agent, 3 NATS\]: 0 injected, .*recover max 2 s/,
    );
  });
});
