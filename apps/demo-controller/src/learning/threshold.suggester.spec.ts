import { type PairTally } from '@opscrew/contracts';
import { shippedConfig } from '../testing/fakes';
import { confirmedByLoad } from './load-confirmation';
import { emptyScorecard } from './scorecard.aggregator';
import { suggestThresholds } from './threshold.suggester';

const config = shippedConfig().config;
const thresholds = { alerting: config.thresholds.alerting, detection: config.thresholds.detection };

function card(
  runs: number,
  pairs: Omit<PairTally, 'service' | 'symptom'>[],
  named: [string, string][],
) {
  return {
    ...emptyScorecard('2025-01-31T12:00:00.000Z'),
    runs,
    pairs: pairs.map((counts, i) => ({
      service: named[i]?.[0] ?? 'x',
      symptom: named[i]?.[1] ?? 'y',
      ...counts,
    })),
  };
}

describe('suggestThresholds', () => {
  it('suggests nothing before min_samples runs, whatever the evidence', () => {
    const early = card(
      9,
      [{ true_positives: 0, false_positives: 9, missed: 0 }],
      [['ad', 'high_error_rate']],
    );
    expect(suggestThresholds(early, thresholds, 10)).toEqual([]);
  });

  it('raises where false positives dominate, lowers where misses do; ties and anecdotes stay', () => {
    const scorecard = card(
      12,
      [
        { true_positives: 1, false_positives: 3, missed: 0 },
        { true_positives: 2, false_positives: 0, missed: 4 },
        { true_positives: 5, false_positives: 2, missed: 0 },
        { true_positives: 0, false_positives: 1, missed: 0 },
        { true_positives: 0, false_positives: 2, missed: 2 },
      ],
      [
        ['frontend', 'high_latency'],
        ['cart', 'high_latency'],
        ['cart', 'high_error_rate'],
        ['payment', 'high_error_rate'],
        ['checkout', 'high_error_rate'],
      ],
    );
    const suggestions = suggestThresholds(scorecard, thresholds, 10);
    expect(
      suggestions.map((s) => [s.service, s.direction, s.setting, s.current, s.suggested]),
    ).toEqual([
      // cart overrides only its error rate: the default p99 (5 s) is the current value; the fix is an override.
      ['cart', 'lower', 'thresholds.alerting.services.cart.latency_p99_ms', 5000, 4000],
      ['frontend', 'raise', 'thresholds.alerting.services.frontend.latency_p99_ms', 3000, 3750],
    ]);
    expect(suggestions[0]?.reason).toBe(
      'lower latency_p99_ms of cart (from the defaults: add a per-service override): 4 missed against 2 right alert(s)',
    );
  });

  it('drift goes to the shared score threshold; symptoms without a threshold get a review', () => {
    const scorecard = card(
      10,
      [
        { true_positives: 0, false_positives: 3, missed: 0 },
        { true_positives: 0, false_positives: 0, missed: 2 },
      ],
      [
        ['recommendation', 'latency_drift'],
        ['cart', 'container_crash'],
      ],
    );
    // The shipped threshold, raised by a quarter (the suggester's step), to three decimals.
    const shipped = thresholds.detection.drift.score_threshold;
    expect(suggestThresholds(scorecard, thresholds, 10)).toEqual([
      expect.objectContaining({
        direction: 'raise',
        setting: 'thresholds.detection.drift.score_threshold',
        current: shipped,
        suggested: Math.round(shipped * 1.25 * 1000) / 1000,
      }),
      expect.objectContaining({ direction: 'review', setting: null, suggested: null }),
    ]);
  });
});

describe('confirmedByLoad', () => {
  const base = {
    users: 200,
    rps: 80,
    fail_ratio: 0,
    p50_ms: 40,
    p95_ms: 900,
    p99_ms: 1500,
    requests: 10_000,
    failures: 0,
  };
  const loaded = ['frontend', 'cart'];

  it("owes a detection only for what the users measured beyond the entry service's thresholds", () => {
    expect(
      confirmedByLoad({
        entry_service: 'frontend',
        loaded_services: loaded,
        load: base,
        alerting: thresholds.alerting,
      }),
    ).toEqual([]);
    const felt = { ...base, p99_ms: 3_000, fail_ratio: 0.01 };
    expect(
      confirmedByLoad({
        entry_service: 'frontend',
        loaded_services: loaded,
        load: felt,
        alerting: thresholds.alerting,
      }).map((r) => r.symptom),
    ).toEqual(['high_latency', 'high_error_rate']);
    // Without a p99 (an old Locust), p95 stands in.
    const { p99_ms: _omit, ...noP99 } = { ...base, p95_ms: 3_100 };
    expect(
      confirmedByLoad({
        entry_service: 'frontend',
        loaded_services: loaded,
        load: noP99,
        alerting: thresholds.alerting,
      })[0]?.because,
    ).toBe('the load measured p95 3100 ms at frontend (threshold 3000 ms)');
  });

  it('says nothing below the minimum request rate: ratios of a trickle are noise', () => {
    const trickle = { ...base, rps: 0.2, fail_ratio: 0.5, p99_ms: 9_000 };
    expect(
      confirmedByLoad({
        entry_service: 'frontend',
        loaded_services: loaded,
        load: trickle,
        alerting: thresholds.alerting,
      }),
    ).toEqual([]);
  });
});
