import { type IncidentFacts } from './reasoning/incident-reasoning.types';
import { RulesLlmClient } from './rules.llm-client';

const INCIDENT: IncidentFacts = {
  incident_id: 'INC-20260101-001',
  service: 'recommendation',
  symptom: 'high_memory',
  severity: 'high',
  value: 0.93,
  threshold: 0.9,
  metric: 'memory_ratio',
  detected_at: '2026-01-01T03:00:00.000Z',
  count: 3,
  peak_value: 0.97,
};
const RESTART = [
  { action: 'restart_service', description: 'Restart', params: { service: 'the service' } },
];

describe('RulesLlmClient (no ANTHROPIC_API_KEY)', () => {
  const rules = new RulesLlmClient();

  it('triage: the symptom\u2019s usual cause with the measured value, and what to check', async () => {
    await expect(rules.triageSummary(INCIDENT, [])).resolves.toEqual({
      probable_cause:
        'recommendation: memory is close to its limit: a leak or an undersized limit (memory_ratio 0.93 against a threshold of 0.9)',
      what_to_check: [
        'recommendation: memory growth since the last restart',
        'recommendation: recent deploys or flag changes',
        'recommendation: the container memory limit',
      ],
    });
  });

  it('triage: evidence changes the story (a refused connection is a dependency problem)', async () => {
    const summary = await rules.triageSummary({ ...INCIDENT, symptom: 'high_error_rate' }, [
      { source: 'runtime.logs', text: 'dial tcp valkey-cart:6379: connect: connection refused' },
    ]);
    expect(summary.probable_cause).toMatch(/^recommendation: a dependency refuses connections/);
    expect(summary.what_to_check[0]).toBe(
      'recommendation: the dependency named in the connection errors',
    );
  });

  it('proposeAction: restart for a leak, with the service; null when not allowed or when a dependency fails', async () => {
    await expect(rules.proposeAction(INCIDENT, [], RESTART)).resolves.toEqual({
      action: 'restart_service',
      params: { service: 'recommendation' },
    });
    await expect(rules.proposeAction(INCIDENT, [], [])).resolves.toBeNull();
    await expect(
      rules.proposeAction({ ...INCIDENT, symptom: 'dependency_failure' }, [], RESTART),
    ).resolves.toBeNull();
    await expect(
      rules.proposeAction(
        INCIDENT,
        [{ source: 'logs', text: 'ECONNREFUSED 10.0.0.3:6379' }],
        RESTART,
      ),
    ).resolves.toBeNull();
  });

  it('postmortemDraft: a markdown template from the ledger, hostile notes made inert', async () => {
    const draft = await rules.postmortemDraft(INCIDENT, [
      { at: '2026-01-01T03:00:00.000Z', phase: 'detected', source: 'ops-monitor' },
      {
        at: '2026-01-01T03:02:00.000Z',
        phase: 'actioned',
        source: 'jira-resolver',
        note: 'restarted | [x](http://e.vil)\n# hi',
      },
      { at: '2026-01-01T03:06:30.000Z', phase: 'resolved', source: 'jira-resolver' },
    ]);
    expect(draft).toContain(
      '# Postmortem (draft): INC-20260101-001 — recommendation high\\_memory',
    );
    expect(draft).toContain('- Outcome: resolved, 6.5 min from first to last step');
    expect(draft).toContain('- Measured: memory\\_ratio 93.0 % (threshold 90.0 %), peak 97.0 %');
    expect(draft).toContain(
      '| 2026-01-01T03:02:00.000Z | actioned | jira-resolver | restarted \\| \\[x\\]\\(http://e.vil\\) \\# hi |',
    );
    expect(draft.split('\n').filter((line) => line.startsWith('# '))).toHaveLength(1);
  });

  it('run: says no model answers instead of pretending', async () => {
    const result = await rules.run({
      agent: 'ops-monitor',
      purpose: 'triage',
      incident_id: 'INC-20260101-001',
      system: 's',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(result).toMatchObject({ stop: 'no_model', turns: 0, tool_calls: [] });
    expect(rules.kind).toBe('rules');
  });
});
