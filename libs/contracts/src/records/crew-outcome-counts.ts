import { IsInteger } from '../validation/field.validators';

/**
 * What the crew did against a scenario's ground truth, counted: one run's
 * score (ScenarioScoreRecord) and the running total over every run
 * (ScorecardRecord) carry the same counts, so they are declared once.
 */
export abstract class CrewOutcomeCounts {
  /** Alerts that were right: an expected symptom on an expected service, or informational under a held lock. */
  @IsInteger(0)
  true_positives!: number;

  /** Alerts on a service/symptom the scenario does not explain (and not informational under a lock). */
  @IsInteger(0)
  false_positives!: number;

  /** Detections owed (`required`) that no incident met. */
  @IsInteger(0)
  missed!: number;

  /** Of the true positives: informational alerts under a held lock (the lock protocol working). */
  @IsInteger(0)
  informational_correct!: number;

  /** Expected alerts that were NOT informational although the run held the service's lock. */
  @IsInteger(0)
  alerted_during_lock!: number;

  /** Successful restarts of a service while a run's load held its lock. Must be 0. */
  @IsInteger(0)
  restarts_during_lock!: number;

  /** Successful restarts when the scenario expected none (load, flag faults a restart cannot cure). */
  @IsInteger(0)
  unexpected_restarts!: number;

  @IsInteger(0)
  resolved!: number;

  @IsInteger(0)
  escalated!: number;
}

/** The counts' names, in declaration order. */
export const CREW_OUTCOME_COUNT_KEYS = [
  'true_positives',
  'false_positives',
  'missed',
  'informational_correct',
  'alerted_during_lock',
  'restarts_during_lock',
  'unexpected_restarts',
  'resolved',
  'escalated',
] as const satisfies readonly (keyof CrewOutcomeCounts)[];

export type OutcomeCounts = Pick<CrewOutcomeCounts, (typeof CREW_OUTCOME_COUNT_KEYS)[number]>;

/** Every count at zero. */
export function zeroOutcomeCounts(): OutcomeCounts {
  return Object.fromEntries(CREW_OUTCOME_COUNT_KEYS.map((key) => [key, 0])) as OutcomeCounts;
}

/** Count by count, a + b. */
export function addOutcomeCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  return Object.fromEntries(
    CREW_OUTCOME_COUNT_KEYS.map((key) => [key, a[key] + b[key]]),
  ) as OutcomeCounts;
}
