import {
  IsFiniteNumber,
  IsFlag,
  IsNested,
  IsOneOf,
  IsText,
  IsTextArray,
  IsToken,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import {
  IDENTIFIER_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SYMPTOM_MAX_LENGTH,
  SYMPTOM_PATTERN,
} from './field-limits';

export const SCENARIO_OUTCOMES = ['completed', 'aborted', 'failed'] as const;
export type ScenarioOutcome = (typeof SCENARIO_OUTCOMES)[number];

/** A scenario targets a few services of the demo shop; 50 bounds the payload. */
export const MAX_SCENARIO_SERVICES = 50;
/** A scenario expects a few symptoms; 20 bounds the payload. */
export const MAX_SCENARIO_SYMPTOMS = 20;

/** What the crew should do about a scenario; demo-controller scores against it. */
export class ScenarioExpectation {
  @IsTextArray({
    maxItems: MAX_SCENARIO_SYMPTOMS,
    maxLength: SYMPTOM_MAX_LENGTH,
    pattern: SYMPTOM_PATTERN,
    describe: 'a snake_case token',
  })
  symptoms!: string[];

  @IsFlag()
  remediation_expected!: boolean;

  /** The scenario holds the lock: detections must be marked informational. */
  @IsFlag()
  informational_only!: boolean;
}

/** `scenario.started`: deliberate load or fault, with its expected effect. */
export class ScenarioStartedEvent extends EventEnvelope {
  @IsToken(IDENTIFIER_MAX_LENGTH)
  scenario!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  run_id!: string;

  @IsTextArray({
    minItems: 1,
    maxItems: MAX_SCENARIO_SERVICES,
    maxLength: SERVICE_NAME_MAX_LENGTH,
    pattern: SERVICE_NAME_PATTERN,
  })
  services!: string[];

  @IsNested(() => ScenarioExpectation)
  expected!: ScenarioExpectation;

  @IsFiniteNumber({ exclusiveMin: 0 })
  duration_s!: number;
}

/** `scenario.finished`. */
export class ScenarioFinishedEvent extends EventEnvelope {
  @IsToken(IDENTIFIER_MAX_LENGTH)
  scenario!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  run_id!: string;

  @IsOneOf(SCENARIO_OUTCOMES)
  outcome!: ScenarioOutcome;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  note?: string;
}
