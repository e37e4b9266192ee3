import { type ScenarioScoreRecord } from '@opscrew/contracts';
import { type LearningService } from '../learning/learning.service';
import { addScore, emptyScorecard } from '../learning/scorecard.aggregator';

import { CapacitySection } from './capacity.section';
import { DemoControllerWeeklyReport } from './demo-controller-weekly.report';

const NOW = new Date('2025-02-03T10:00:00.000Z');

function score(overrides: Partial<ScenarioScoreRecord>): ScenarioScoreRecord {
  return {
    run_id: 'stress-20250201T100000-aaaa',
    scenario: 'stress',
    kind: 'load',
    outcome: 'completed',
    started_at: '2025-02-01T10:00:00.000Z',
    finished_at: '2025-02-01T10:03:00.000Z',
    scored_at: '2025-02-01T10:08:00.000Z',
    true_positives: 2,
    false_positives: 1,
    missed: 0,
    informational_correct: 2,
    alerted_during_lock: 0,
    detection_latency_s: 30,
    resolution_time_s: null,
    resolved: 0,
    escalated: 0,
    restarts_during_lock: 0,
    unexpected_restarts: 0,
    remediation_expected: false,
    escalation_expected: false,
    detected: [{ service: 'frontend', symptom: 'high_latency', count: 2 }],
    false_positive_pairs: [{ service: 'ad', symptom: 'high_error_rate', count: 1 }],
    missed_pairs: [],
    summary: 'stress',
    ...overrides,
  };
}

describe('DemoControllerWeeklyReport', () => {
  const scores = [
    score({}),
    score({
      run_id: 'flagd_cart_failure-1',
      scenario: 'flagd_cart_failure',
      true_positives: 0,
      false_positives: 0,
      missed: 1,
      detection_latency_s: null,
    }),
    // Older than a week: in the all-time figures only.
    score({ run_id: 'old', scored_at: '2025-01-20T10:00:00.000Z' }),
  ];
  const aggregate = scores.reduce(addScore, emptyScorecard(NOW.toISOString()));
  const learning: Pick<LearningService, 'scorecard' | 'scores'> = {
    scores: () => Promise.resolve(scores),
    scorecard: () =>
      Promise.resolve({
        aggregate: {
          ...aggregate,
          accuracy_ratio: 0.667,
          detection_rate_ratio: 0.8,
          mean_detection_latency_s: 30,
          mean_resolution_time_s: null,
        },
        recent: scores,
        open_runs: [],
        suggestions: {
          ready: false,
          min_samples: 10,
          runs: 3,
          file: 'var/learning/threshold-suggestions.json',
          items: [],
        },
      }),
  };

  it('reports the week per scenario, the all-time figures and the suggestion state', async () => {
    const report = new DemoControllerWeeklyReport(learning);
    const content = await report.build(NOW);
    expect(content.text).toBe(
      [
        '2 scenario run(s) scored this week: 2 right alert(s), 1 false positive(s), 1 missed, 0 restart(s) during a load lock, detection after 30 s on average.',
        'All time (3 completed run(s)): accuracy 66.7 %, mean detection latency 30 s, mean resolution time n/a s, 0 restart(s) during a lock.',
        '- stress ×1: 1 false positive(s), 0 missed, detected after 30 s',
        '- flagd_cart_failure ×1: 0 false positive(s), 1 missed',
        'Threshold suggestions: none yet (3/10 runs).',
      ].join('\n'),
    );
    expect(content).toMatchObject({
      title: 'demo-controller weekly report 2025-02-03',
      fields: {
        runs: 3,
        true_positives: 4,
        false_positives: 2,
        missed: 1,
        accuracy: '66.7 %',
        suggestions: 0,
      },
    });
  });

  it('appends the sections other features provide, and leaves out empty ones', async () => {
    const report = new DemoControllerWeeklyReport(learning, [
      { heading: 'Capacity forecast', lines: () => Promise.resolve(['- cart: 80 % in 12 days']) },
      { heading: 'Empty', lines: () => Promise.resolve([]) },
    ]);
    const { text } = await report.build(NOW);
    expect(text.endsWith('Capacity forecast:\n- cart: 80 % in 12 days')).toBe(true);
    expect(text).not.toContain('Empty');
  });

  it('ends with a Capacity section from the injected forecast summary (or says it failed)', async () => {
    const lines = [
      '- cart CPU reaches 90 % in ~12 days (8–17) at the current trend',
      '1 service(s) with too little history to forecast: ad.',
    ];
    const withCapacity = new DemoControllerWeeklyReport(learning, [
      new CapacitySection({ summaryLines: () => Promise.resolve(lines) }),
    ]);
    const { text } = await withCapacity.build(NOW);
    expect(text.split('\n').slice(-3)).toEqual(['Capacity (at the current trend):', ...lines]);
    const failing = new DemoControllerWeeklyReport(learning, [
      new CapacitySection({
        summaryLines: () => Promise.reject(new Error('bucket capacity does not exist')),
      }),
    ]);
    expect((await failing.build(NOW)).text.split('\n').at(-1)).toBe(
      'forecast not available (bucket capacity does not exist)',
    );
  });
});
