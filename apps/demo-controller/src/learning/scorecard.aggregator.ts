import {
  type AccuracyFeedbackRecord,
  addOutcomeCounts,
  MAX_SCORECARD_PAIRS,
  MAX_SCORECARD_SCENARIOS,
  type PairTally,
  type ScenarioScoreRecord,
  type ScorecardRecord,
  zeroOutcomeCounts,
} from '@opscrew/contracts';

export function emptyScorecard(at: string): ScorecardRecord {
  return {
    runs: 0,
    ...zeroOutcomeCounts(),
    detection_latency_s_total: 0,
    detection_samples: 0,
    resolution_time_s_total: 0,
    resolution_samples: 0,
    pairs: [],
    scenarios: [],
    updated_at: at,
  };
}

/** The aggregate with one more scored run folded in (pure: returns a new record). */
export function addScore(current: ScorecardRecord, score: ScenarioScoreRecord): ScorecardRecord {
  const next: ScorecardRecord = {
    ...current,
    pairs: current.pairs.map((pair) => ({ ...pair })),
    scenarios: current.scenarios.map((scenario) => ({ ...scenario })),
    runs: current.runs + 1,
    ...addOutcomeCounts(current, score),
    detection_latency_s_total: current.detection_latency_s_total + (score.detection_latency_s ?? 0),
    detection_samples: current.detection_samples + (score.detection_latency_s === null ? 0 : 1),
    // The score's mean counts once per resolved alert, so the aggregate mean stays per alert.
    resolution_time_s_total:
      current.resolution_time_s_total + (score.resolution_time_s ?? 0) * score.resolved,
    resolution_samples: current.resolution_samples + score.resolved,
    updated_at: score.scored_at,
  };
  const tally = (service: string, symptom: string): PairTally | undefined => {
    let pair = next.pairs.find((p) => p.service === service && p.symptom === symptom);
    if (!pair && next.pairs.length < MAX_SCORECARD_PAIRS) {
      pair = { service, symptom, true_positives: 0, false_positives: 0, missed: 0 };
      next.pairs.push(pair);
    }
    return pair;
  };
  for (const p of score.detected) {
    const pair = tally(p.service, p.symptom);
    if (pair) pair.true_positives += p.count;
  }
  for (const p of score.false_positive_pairs) {
    const pair = tally(p.service, p.symptom);
    if (pair) pair.false_positives += p.count;
  }
  for (const p of score.missed_pairs) {
    const pair = tally(p.service, p.symptom);
    if (pair) pair.missed += p.count;
  }
  let scenario = next.scenarios.find((s) => s.scenario === score.scenario);
  if (!scenario && next.scenarios.length < MAX_SCORECARD_SCENARIOS) {
    scenario = {
      scenario: score.scenario,
      runs: 0,
      true_positives: 0,
      false_positives: 0,
      missed: 0,
      restarts_during_lock: 0,
      last_run_id: score.run_id,
    };
    next.scenarios.push(scenario);
  }
  if (scenario) {
    scenario.runs += 1;
    scenario.true_positives += score.true_positives;
    scenario.false_positives += score.false_positives;
    scenario.missed += score.missed;
    scenario.restarts_during_lock += score.restarts_during_lock;
    scenario.last_run_id = score.run_id;
  }
  return next;
}

/** What ops-monitor's /quality reads: its alerts' ground truth over every scored run. */
export function accuracyFeedback(scorecard: ScorecardRecord): AccuracyFeedbackRecord {
  return {
    true_positives: scorecard.true_positives,
    false_positives: scorecard.false_positives,
    missed: scorecard.missed,
    runs: scorecard.runs,
    updated_at: scorecard.updated_at,
  };
}

/** Derived figures a reader wants (never stored: the sums are). */
export function scorecardFigures(scorecard: ScorecardRecord): {
  accuracy_ratio: number | null;
  detection_rate_ratio: number | null;
  mean_detection_latency_s: number | null;
  mean_resolution_time_s: number | null;
} {
  const alerts = scorecard.true_positives + scorecard.false_positives;
  const owed = scorecard.true_positives + scorecard.missed;
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  return {
    accuracy_ratio: alerts > 0 ? round(scorecard.true_positives / alerts) : null,
    detection_rate_ratio: owed > 0 ? round(scorecard.true_positives / owed) : null,
    mean_detection_latency_s:
      scorecard.detection_samples > 0
        ? round(scorecard.detection_latency_s_total / scorecard.detection_samples)
        : null,
    mean_resolution_time_s:
      scorecard.resolution_samples > 0
        ? round(scorecard.resolution_time_s_total / scorecard.resolution_samples)
        : null,
  };
}
