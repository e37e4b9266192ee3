import { SchedulerRegistry } from '@nestjs/schedule';
import { type ScheduleConfig } from '@opscrew/config';
import { type ScenarioScoreRecord } from '@opscrew/contracts';
import { RecordingPublisher } from '@opscrew/testing';
import { type LearningService } from '../learning/learning.service';
import { addScore, emptyScorecard } from '../learning/scorecard.aggregator';

import { WeeklyReportService } from './weekly-report.service';

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

describe('WeeklyReportService', () => {
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

  it('publishes report.demo-controller-weekly with the week, the all-time figures and the suggestion state', async () => {
    const publisher = new RecordingPublisher('demo-controller');
    const schedules = new Map<string, ScheduleConfig>([
      ['demo-controller-weekly', { cron: '0 10 * * 1', description: 'weekly', enabled: true }],
    ]);
    const scheduler = new SchedulerRegistry();
    const service = new WeeklyReportService(schedules, scheduler, learning, publisher, {
      log: jest.fn(),
      error: jest.fn(),
    });
    service.start();
    expect(scheduler.doesExist('cron', 'demo-controller-weekly')).toBe(true);
    const text = await service.send('demo-controller-weekly', NOW);
    service.stop();
    expect(text).toBe(
      [
        '2 scenario run(s) scored this week: 2 right alert(s), 1 false positive(s), 1 missed, 0 restart(s) during a load lock, detection after 30 s on average.',
        'All time (3 completed run(s)): accuracy 66.7 %, mean detection latency 30 s, mean resolution time n/a s, 0 restart(s) during a lock.',
        '- stress ×1: 1 false positive(s), 0 missed',
        '- flagd_cart_failure ×1: 0 false positive(s), 1 missed',
        'Threshold suggestions: none yet (3/10 runs).',
      ].join('\n'),
    );
    const [report] = publisher.of('report.demo-controller-weekly');
    expect(report).toMatchObject({
      id: 'report.demo-controller-weekly.2025-02-03',
      kind: 'demo-controller-weekly',
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

  it('logs and goes on when the report cannot be sent', async () => {
    const publisher = new RecordingPublisher('demo-controller');
    publisher.failNext = 1;
    const logger = { log: jest.fn(), error: jest.fn() };
    const service = new WeeklyReportService(
      new Map(),
      new SchedulerRegistry(),
      learning,
      publisher,
      logger,
    );
    expect(await service.send('demo-controller-weekly', NOW)).toBeNull();
    expect(logger.error).toHaveBeenCalledWith('weekly report not sent: NATS unavailable');
  });

  it('ends with a Capacity section from the injected forecast summary (or says it failed)', async () => {
    const logger = { log: jest.fn(), error: jest.fn() };
    const lines = [
      '- cart CPU reaches 90 % in ~12 days (8–17) at the current trend',
      '1 service(s) with too little history to forecast: ad.',
    ];
    const withCapacity = new WeeklyReportService(
      new Map(),
      new SchedulerRegistry(),
      learning,
      new RecordingPublisher('demo-controller'),
      logger,
      { summaryLines: () => Promise.resolve(lines) },
    );
    const text = await withCapacity.text(NOW);
    expect(text.split('\n').slice(-3)).toEqual(['Capacity (at the current trend):', ...lines]);
    const failing = new WeeklyReportService(
      new Map(),
      new SchedulerRegistry(),
      learning,
      new RecordingPublisher('demo-controller'),
      logger,
      { summaryLines: () => Promise.reject(new Error('bucket capacity does not exist')) },
    );
    expect((await failing.text(NOW)).split('\n').at(-1)).toBe(
      'Capacity: forecast not available (bucket capacity does not exist).',
    );
  });
});
