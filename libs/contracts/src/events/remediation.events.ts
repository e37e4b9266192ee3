import {
  IsNestedArray,
  IsOneOf,
  IsText,
  IsToken,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import {
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from './field-limits';

export const REMEDIATION_MODES = ['act', 'observe'] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

export const REMEDIATION_OUTCOMES = [
  'succeeded',
  'failed',
  'deferred',
  'escalated',
  'skipped',
] as const;
export type RemediationOutcome = (typeof REMEDIATION_OUTCOMES)[number];

export const STEP_RESULTS = ['ok', 'failed', 'refused', 'skipped'] as const;
export type StepResult = (typeof STEP_RESULTS)[number];

/** Runbooks are a handful of steps; 100 only bounds a runaway loop's payload. */
export const MAX_REMEDIATION_STEPS = 100;

/** `remediation.started`: a runbook run began. */
export class RemediationStartedEvent extends EventEnvelope {
  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  run_id!: string;

  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  runbook!: string;

  /** `observe` logs what would be done without touching the runtime. */
  @IsOneOf(REMEDIATION_MODES)
  mode!: RemediationMode;
}

export class RemediationStep {
  /** The runtime action, e.g. `restart`, `logs`, `wait`. */
  @IsText(IDENTIFIER_MAX_LENGTH)
  action!: string;

  @IsOneOf(STEP_RESULTS)
  result!: StepResult;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  detail?: string;
}

/** `remediation.finished`: the run's outcome and each step's result. */
export class RemediationFinishedEvent extends RemediationStartedEvent {
  @IsOneOf(REMEDIATION_OUTCOMES)
  outcome!: RemediationOutcome;

  @IsNestedArray(() => RemediationStep, { maxItems: MAX_REMEDIATION_STEPS })
  steps!: RemediationStep[];
}
