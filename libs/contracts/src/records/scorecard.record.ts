import {
  IDENTIFIER_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SYMPTOM_MAX_LENGTH,
  SYMPTOM_PATTERN,
} from '../events/field-limits';
import {
  IsFiniteNumber,
  IsInteger,
  IsNestedArray,
  IsText,
  IsTimestamp,
  IsToken,
} from '../validation/field.validators';
import { CrewOutcomeCounts } from './crew-outcome-counts';

/** Key of demo-controller's aggregate scorecard of the crew in the `learning` bucket. */
export const SCORECARD_KEY = 'scorecard.crew';

/** (service, symptom) pairs tallied: every watched service × every symptom, with room. */
export const MAX_SCORECARD_PAIRS = 500;
/** Scenarios tallied: the configured ones, plus renamed ones from older runs. */
export const MAX_SCORECARD_SCENARIOS = 100;

/** Evidence for one (service, symptom) pair across all scored runs: what threshold tuning reads. */
export class PairTally {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' })
  symptom!: string;

  @IsInteger(0)
  true_positives!: number;

  @IsInteger(0)
  false_positives!: number;

  @IsInteger(0)
  missed!: number;
}

export class ScenarioTally {
  @IsToken(IDENTIFIER_MAX_LENGTH)
  scenario!: string;

  @IsInteger(0)
  runs!: number;

  @IsInteger(0)
  true_positives!: number;

  @IsInteger(0)
  false_positives!: number;

  @IsInteger(0)
  missed!: number;

  @IsInteger(0)
  restarts_during_lock!: number;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  last_run_id!: string;
}

/** The crew's aggregate score over every scored scenario run. */
export class ScorecardRecord extends CrewOutcomeCounts {
  @IsInteger(0)
  runs!: number;

  /** Sum and count, so the mean stays exact as runs are added. */
  @IsFiniteNumber({ min: 0 })
  detection_latency_s_total!: number;

  @IsInteger(0)
  detection_samples!: number;

  @IsFiniteNumber({ min: 0 })
  resolution_time_s_total!: number;

  @IsInteger(0)
  resolution_samples!: number;

  @IsNestedArray(() => PairTally, { maxItems: MAX_SCORECARD_PAIRS })
  pairs!: PairTally[];

  @IsNestedArray(() => ScenarioTally, { maxItems: MAX_SCORECARD_SCENARIOS })
  scenarios!: ScenarioTally[];

  @IsTimestamp()
  updated_at!: string;
}
