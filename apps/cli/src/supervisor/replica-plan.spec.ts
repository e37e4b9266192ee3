import { planReplicas, replicaEnv } from './replica-plan';

describe('planReplicas', () => {
  it('runs one plain process per agent by default: no replica id, the configured port', () => {
    const slots = planReplicas(['atlas', 'ops-monitor'], 1, []);
    expect(slots).toEqual([
      { agent: 'atlas', replica: null, port: null },
      { agent: 'ops-monitor', replica: null, port: null },
    ]);
    expect(slots.map(replicaEnv)).toEqual([{}, {}]);
  });

  it('gives every further replica its own free port and a <agent>-<i> replica id', () => {
    const slots = planReplicas(['atlas', 'jira-resolver'], 2, [5001, 5002]);
    expect(slots).toEqual([
      { agent: 'atlas', replica: 'atlas-1', port: null },
      { agent: 'atlas', replica: 'atlas-2', port: 5001 },
      { agent: 'jira-resolver', replica: 'jira-resolver-1', port: null },
      { agent: 'jira-resolver', replica: 'jira-resolver-2', port: 5002 },
    ]);
    expect(replicaEnv(slots[1] ?? { agent: 'atlas', replica: null, port: null })).toEqual({
      OPSCREW_REPLICA_ID: 'atlas-2',
      PORT: '5001',
    });
    expect(replicaEnv(slots[0] ?? { agent: 'atlas', replica: null, port: 1 })).toEqual({
      OPSCREW_REPLICA_ID: 'atlas-1',
    });
  });

  it('refuses a count below one and too few free ports', () => {
    expect(() => planReplicas(['atlas'], 0, [])).toThrow(RangeError);
    expect(() => planReplicas(['atlas'], 1.5, [])).toThrow(RangeError);
    expect(() => planReplicas(['atlas', 'ops-monitor'], 3, [5001, 5002, 5003])).toThrow(
      /4 free ports needed/,
    );
  });
});
