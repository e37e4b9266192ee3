import { QualityTracker } from './quality.tracker';

const targets = { accuracy_ratio: 0.9, completeness_ratio: 1, actionability_ratio: 0.95 };

describe('QualityTracker', () => {
  it('has nothing to say before the first cycle', () => {
    expect(new QualityTracker(targets).report()).toMatchObject({
      completeness_ratio: null,
      actionability_ratio: null,
      accuracy_ratio: null,
      meets_targets: { completeness: null, actionability: null, accuracy: null },
    });
  });

  it('grades completeness, actionability and accuracy against the targets', () => {
    const quality = new QualityTracker(targets);
    quality.recordCycle(new Date('2026-11-24T10:00:00Z'), ['a', 'b', 'c', 'd'], ['d']);
    quality.recordTicket(true);
    quality.recordTicket(true);
    quality.recordTicket(false);
    quality.recordAccuracy({ true_positives: 19, false_positives: 1 });
    expect(quality.report()).toMatchObject({
      completeness_ratio: 0.75,
      actionability_ratio: 2 / 3,
      accuracy_ratio: 0.95,
      meets_targets: { completeness: false, actionability: false, accuracy: true },
      unchecked_services: ['d'],
      tickets: { total: 3, actionable: 2 },
      cycles: 1,
      last_cycle_at: '2026-11-24T10:00:00.000Z',
    });
  });

  it('keeps accuracy unknown until the feedback has alerts to judge', () => {
    const quality = new QualityTracker(targets);
    quality.recordAccuracy({ true_positives: 0, false_positives: 0 });
    expect(quality.report().accuracy_ratio).toBeNull();
    quality.recordAccuracy(null);
    expect(quality.report().accuracy_ratio).toBeNull();
  });
});
