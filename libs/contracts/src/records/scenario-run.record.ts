import {
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SEVERITIES,
  type Severity,
  SYMPTOM_MAX_LENGTH,
  SYMPTOM_PATTERN,
} from '../events/field-limits';
import { Symptoms } from '../events/incident.events';
import { SCENARIO_OUTCOMES, type ScenarioOutcome } from '../events/scenario.events';
import {
  IsFiniteNumber,
  IsFlag,
  IsInteger,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTextArray,
  IsTimestamp,
  IsToken,
  OptionalField,
} from '../validation/field.validators';

/** Key prefix of scenario runs (ground truth + what the crew did) in the `learning` bucket. */
export const SCENARIO_RUN_KEY_PREFIX = 'scenario-run.';

export function scenarioRunKey(runId: string): string {
  return `${SCENARIO_RUN_KEY_PREFIX}${runId}`;
}

export const SCENARIO_KINDS = ['load', 'flag', 'fault'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/**
 * Observations kept per list in one run record. A run lasts minutes and the
 * crew opens a handful of incidents in that time; 50 each (~250 bytes apiece)
 * keeps a full record near 45 KiB, under the bucket's 64 KiB value limit even
 * in an alert storm (the overflow is counted in `dropped_observations`).
 */
export const MAX_RUN_OBSERVATIONS = 50;
/** Detections one run can owe: a few services × a few symptoms; 50 bounds the record. */
export const MAX_REQUIRED_DETECTIONS = 50;
/** Services one run touches: every watched service at most. */
export const MAX_RUN_SERVICES = 50;

const ServiceName = (): PropertyDecorator =>
  IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN });
const SymptomName = (): PropertyDecorator =>
  IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' });
const ServiceList = (): PropertyDecorator =>
  IsTextArray({
    maxItems: MAX_RUN_SERVICES,
    maxLength: SERVICE_NAME_MAX_LENGTH,
    pattern: SERVICE_NAME_PATTERN,
  });

/**
 * A detection the crew owes: `symptom` on `service` (or, for load, on any of
 * `satisfied_by`: the load enters at one service and may surface behind it).
 */
export class RequiredDetection {
  @ServiceName()
  service!: string;

  @SymptomName()
  symptom!: string;

  /** Services whose incident with this symptom meets the requirement (always includes `service`). */
  @ServiceList()
  satisfied_by!: string[];

  /**
   * Other symptoms that meet it as well. One fault is one detection: a leak
   * caught by its errors need not also open a latency incident (dedup works
   * per symptom, so demanding both would reward noise).
   */
  @OptionalField()
  @IsTextArray({ maxItems: 10, maxLength: SYMPTOM_MAX_LENGTH, pattern: SYMPTOM_PATTERN })
  or_symptoms?: string[];

  /** Why it is owed: injected fault, or the load's own measurement that confirmed it. */
  @IsText(NOTE_MAX_LENGTH)
  because!: string;
}

/** An incident the crew opened (or re-sighted) while the run's window was open. */
export class ObservedIncident {
  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @ServiceName()
  service!: string;

  @SymptomName()
  symptom!: string;

  /**
   * Every symptom folded into it so far (one fault, one incident: a pool exhaustion first seen as
   * a latency drift gains its error rate later); absent on older records: just `symptom`.
   */
  @OptionalField()
  @Symptoms()
  symptoms?: string[];

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  /** `opened`: a new incident (an alert); `resighted`: an update of one opened before the run. */
  @IsOneOf(['opened', 'resighted'])
  kind!: 'opened' | 'resighted';

  @IsTimestamp()
  detected_at!: string;

  @IsFlag()
  informational!: boolean;

  @OptionalField()
  @IsTimestamp()
  resolved_at?: string;

  @OptionalField()
  @IsTimestamp()
  escalated_at?: string;
}

/** A per-service lease held during the run: ours (the load) or another holder's (a restart). */
export class ObservedLockHold {
  @ServiceName()
  service!: string;

  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  @IsInteger(1)
  revision!: number;

  /** True for this run's own load lock. */
  @IsFlag()
  own!: boolean;

  @IsTimestamp()
  from!: string;

  /** Released at, or (not released yet / holder gone) the lease's last known expiry. */
  @IsTimestamp()
  until!: string;

  @IsFlag()
  released!: boolean;
}

/** A remediation run of the crew that overlapped the run's window. */
export class ObservedRemediation {
  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  remediation_run_id!: string;

  @ServiceName()
  service!: string;

  @IsTimestamp()
  started_at!: string;

  @OptionalField()
  @IsTimestamp()
  finished_at?: string;

  @OptionalField()
  @IsText(IDENTIFIER_MAX_LENGTH)
  outcome?: string;

  /** `restart_service` steps that succeeded: the restarts the runtime carried out. */
  @IsInteger(0)
  restarts_ok!: number;
}

/** A service whose lock the load could not take (someone else held it). */
export class SkippedLock {
  @ServiceName()
  service!: string;

  @IsText(IDENTIFIER_MAX_LENGTH)
  held_by!: string;
}

/** The load's own measurement at the end of a load run (client side, at the entry service). */
export class LoadSummary {
  @IsInteger(0)
  users!: number;

  @IsFiniteNumber({ min: 0 })
  rps!: number;

  @IsFiniteNumber({ min: 0 })
  fail_ratio!: number;

  @IsFiniteNumber({ min: 0 })
  p50_ms!: number;

  @IsFiniteNumber({ min: 0 })
  p95_ms!: number;

  @OptionalField()
  @IsFiniteNumber({ min: 0 })
  p99_ms?: number;

  @IsInteger(0)
  requests!: number;

  @IsInteger(0)
  failures!: number;
}

/**
 * One scenario run as demo-controller saw it: the ground truth (what was done,
 * what the crew owes) and what the crew did, collected from the bus while the
 * run's window was open. Scored once the window closes (`ScenarioScoreRecord`).
 */
export class ScenarioRunRecord {
  @IsToken(IDENTIFIER_MAX_LENGTH)
  run_id!: string;

  @IsToken(IDENTIFIER_MAX_LENGTH)
  scenario!: string;

  @IsOneOf(SCENARIO_KINDS)
  kind!: ScenarioKind;

  /** Services the scenario acts on (all loaded services, or the flag/fault targets). */
  @ServiceList()
  services!: string[];

  /** Where incidents are expected: (these services) × (these symptoms) are not false positives. */
  @ServiceList()
  expected_services!: string[];

  @IsTextArray({
    maxItems: 20,
    maxLength: SYMPTOM_MAX_LENGTH,
    pattern: SYMPTOM_PATTERN,
    describe: 'a snake_case token',
  })
  expected_symptoms!: string[];

  @IsNestedArray(() => RequiredDetection, { maxItems: MAX_REQUIRED_DETECTIONS })
  required!: RequiredDetection[];

  @IsFlag()
  remediation_expected!: boolean;

  @IsFlag()
  escalation_expected!: boolean;

  /** The run holds the service locks: detections must stay informational. */
  @IsFlag()
  informational_only!: boolean;

  @IsTimestamp()
  started_at!: string;

  @OptionalField()
  @IsTimestamp()
  finished_at?: string;

  /** End of the attribution window: finish + settle, cut short by the next run's start. */
  @OptionalField()
  @IsTimestamp()
  window_until?: string;

  @OptionalField()
  @IsOneOf(SCENARIO_OUTCOMES)
  outcome?: ScenarioOutcome;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  note?: string;

  @OptionalField()
  @IsNested(() => LoadSummary)
  load?: LoadSummary;

  @IsNestedArray(() => ObservedLockHold, { maxItems: MAX_RUN_OBSERVATIONS })
  locks!: ObservedLockHold[];

  @IsNestedArray(() => SkippedLock, { maxItems: MAX_RUN_SERVICES })
  skipped_locks!: SkippedLock[];

  @IsNestedArray(() => ObservedIncident, { maxItems: MAX_RUN_OBSERVATIONS })
  incidents!: ObservedIncident[];

  @IsNestedArray(() => ObservedRemediation, { maxItems: MAX_RUN_OBSERVATIONS })
  remediations!: ObservedRemediation[];

  /** Observations left out because a list was full (an alert storm is itself a finding). */
  @IsInteger(0)
  dropped_observations!: number;

  /** True once scored: later events no longer change it. */
  @IsFlag()
  scored!: boolean;
}
