import {
  IDENTIFIER_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SYMPTOM_MAX_LENGTH,
  SYMPTOM_PATTERN,
} from '../events/field-limits';
import { SCENARIO_OUTCOMES, type ScenarioOutcome } from '../events/scenario.events';
import {
  IsFiniteNumber,
  IsFlag,
  IsInteger,
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTimestamp,
  IsToken,
  NullableField,
} from '../validation/field.validators';
import { CrewOutcomeCounts } from './crew-outcome-counts';
import { SCENARIO_KINDS, type ScenarioKind } from './scenario-run.record';

/** Key prefix of scored runs in the `learning` bucket. */
export const SCENARIO_SCORE_KEY_PREFIX = 'scenario-score.';

export function scenarioScoreKey(runId: string): string {
  return `${SCENARIO_SCORE_KEY_PREFIX}${runId}`;
}

/** Distinct (service, symptom) pairs listed per score: 15 services × 11 symptoms fits with room. */
export const MAX_SCORE_PAIRS = 200;

/** How often one (service, symptom) pair counted in a run. */
export class PairCount {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' })
  symptom!: string;

  @IsInteger(1)
  count!: number;
}

/**
 * The crew's score for one scenario run: ground truth against what it did.
 * Alerts are incidents the crew opened during the run's window. The counts
 * (true/false positives, misses, lock behaviour, outcomes) are CrewOutcomeCounts.
 */
export class ScenarioScoreRecord extends CrewOutcomeCounts {
  @IsToken(IDENTIFIER_MAX_LENGTH)
  run_id!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  scenario!: string;

  @IsOneOf(SCENARIO_KINDS)
  kind!: ScenarioKind;

  @IsOneOf(SCENARIO_OUTCOMES)
  outcome!: ScenarioOutcome;

  @IsTimestamp()
  started_at!: string;

  @IsTimestamp()
  finished_at!: string;

  @IsTimestamp()
  scored_at!: string;

  /** Scenario start → first incident meeting a requirement; null when none did. */
  @NullableField()
  @IsFiniteNumber({ min: 0 })
  detection_latency_s!: number | null;

  /** Mean detected → resolved of this run's incidents that were resolved; null when none was. */
  @NullableField()
  @IsFiniteNumber({ min: 0 })
  resolution_time_s!: number | null;

  @IsFlag()
  remediation_expected!: boolean;

  @IsFlag()
  escalation_expected!: boolean;

  @IsNestedArray(() => PairCount, { maxItems: MAX_SCORE_PAIRS })
  detected!: PairCount[];

  @IsNestedArray(() => PairCount, { maxItems: MAX_SCORE_PAIRS })
  false_positive_pairs!: PairCount[];

  @IsNestedArray(() => PairCount, { maxItems: MAX_SCORE_PAIRS })
  missed_pairs!: PairCount[];

  /** One line a human reads in the report. */
  @IsText(NOTE_MAX_LENGTH)
  summary!: string;
}
