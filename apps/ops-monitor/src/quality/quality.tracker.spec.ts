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
      missing_data: [],
      tickets: { total: 3, actionable: 2 },
      cycles: 1,
      last_cycle_at: '2026-11-24T10:00:00.000Z',
    });
  });

  it('lists what could not be measured, since when; missing data is not completeness', () => {
    const quality = new QualityTracker(targets);
    const errorsOfCart = {
      kind: 'missing' as const,
      service: 'cart',
      metric: 'error_rate_ratio' as const,
      reason:
        'no http_requests_total{job="cart"} series with a status label among code — errors cannot be measured',
      message: 'cart error_rate_ratio: …',
    };
    const absentEmail = {
      kind: 'missing' as const,
      service: 'email',
      metric: 'request_rate_rps' as const,
      reason: 'no http_requests_total series with job="email" in Prometheus',
      message: 'email: …',
    };
    quality.recordCycle(
      new Date('2026-11-24T10:00:00Z'),
      ['cart', 'ad', 'email', 'frontend'],
      ['email'],
      [errorsOfCart, absentEmail],
    );
    quality.recordCycle(
      new Date('2026-11-24T10:00:15Z'),
      ['cart', 'ad', 'email', 'frontend'],
      ['email'],
      [errorsOfCart, absentEmail],
    );
    expect(quality.report()).toMatchObject({
      // cart is sampled, but its errors are unknown: 2 of 4 fully checked.
      completeness_ratio: 0.5,
      meets_targets: { completeness: false },
      unchecked_services: ['email'],
      missing_data: [
        {
          service: 'cart',
          metric: 'error_rate_ratio',
          reason: errorsOfCart.reason,
          since: '2026-11-24T10:00:00.000Z',
        },
        {
          service: 'email',
          metric: 'request_rate_rps',
          reason: absentEmail.reason,
          since: '2026-11-24T10:00:00.000Z',
        },
      ],
    });
    // Fixed (the exporter labels its status now): gone from the list, completeness back.
    quality.recordCycle(new Date('2026-11-24T10:00:30Z'), ['cart', 'ad', 'email', 'frontend'], []);
    expect(quality.report()).toMatchObject({ completeness_ratio: 1, missing_data: [] });
    // A new run of missing data starts a new `since`.
    quality.recordCycle(
      new Date('2026-11-24T10:00:45Z'),
      ['cart', 'ad', 'email', 'frontend'],
      [],
      [errorsOfCart],
    );
    expect(quality.report().missing_data[0]?.since).toBe('2026-11-24T10:00:45.000Z');
  });

  it('keeps accuracy unknown until the feedback has alerts to judge', () => {
    const quality = new QualityTracker(targets);
    quality.recordAccuracy({ true_positives: 0, false_positives: 0 });
    expect(quality.report().accuracy_ratio).toBeNull();
    quality.recordAccuracy(null);
    expect(quality.report().accuracy_ratio).toBeNull();
  });
});
