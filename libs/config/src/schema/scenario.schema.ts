import { SYMPTOMS } from './vocabulary';
import { Bool, Int, Nested, OneOf, Rps, Seconds, Str, StrList } from './validators';

/** What a scenario is expected to do to the system: the ground truth the crew is scored against. */
export class ExpectedEffectConfig {
  @StrList({ optional: true }) services: string[] = [];
  @StrList({ optional: true, values: SYMPTOMS }) symptoms: string[] = [];
  /** Whether a correct crew restarts something (false for load tests and flag faults). */
  @Bool() remediation_expected!: boolean;
  /** Whether escalation to a human is the correct outcome (a fault a restart cannot cure). */
  @Bool({ optional: true }) escalation_expected: boolean = false;
}

export class FlagChangeConfig {
  /** flagd flag name; the OTel demo's 1.x names (adServiceFailure…) are accepted as aliases. */
  @Str({ pattern: /^[A-Za-z][A-Za-z0-9]*$/, hint: 'must be a flagd flag name' }) name!: string;
  /** The variant to switch to, e.g. "on", or "100%" for percentage flags. */
  @Str() variant!: string;
}

export class ScenarioConfig {
  @Str({ maxLength: 500 }) description!: string;
  @OneOf(['load', 'flag', 'fault']) kind!: 'load' | 'flag' | 'fault';
  @Int({ optional: true, min: 1, max: 100_000 }) users?: number;
  @Rps({ optional: true }) spawn_rate?: number;
  @Seconds() duration_s!: number;
  /** Scenario that must have run first (recovery runs after stress). */
  @Str({ optional: true }) precondition?: string;
  /** Deliberate load holds the per-service lock so the crew does not "fix" it. */
  @Bool({ optional: true }) hold_lock: boolean = false;
  @Nested(() => FlagChangeConfig, { optional: true }) flag?: FlagChangeConfig;
  /** For `fault` scenarios: a restart-curable fault of the demo shop. */
  @OneOf(['memory_leak', 'latency_creep', 'connection_pool_exhaustion'], { optional: true })
  fault?: string;
  @StrList({ optional: true }) target_services: string[] = [];
  /**
   * For flag and fault scenarios: a load scenario (without hold_lock) run alongside as traffic —
   * a failure flag on a service nobody calls produces no errors for the crew to see.
   */
  @Str({ optional: true }) background_load?: string;
  @Nested(() => ExpectedEffectConfig) expected!: ExpectedEffectConfig;
}

export class FeedbackLoopConfig {
  /** Suggestions are written for a human; they are never applied automatically. */
  @Bool() adjustment_suggestion!: boolean;
  @Int({ min: 1, max: 10_000 }) min_samples!: number;
  @Str() suggestions_file!: string;
}

export class LearningConfig {
  /**
   * How long after a run ends the crew's detections and fixes still count for it: one detection
   * cycle plus dedup to open the incident, and a restart's verification (wait + passes) to close
   * it. After this the run is scored and its window closes.
   */
  @Seconds({ optional: true, max: 6 * 3600 }) settle_s: number = 300;
  @StrList({
    values: [
      'false_positive_count',
      'missed_alert_count',
      'detection_latency_sec',
      'resolution_time_sec',
      'restarts_during_lock',
    ],
  })
  track_metrics!: string[];
  @Nested(() => FeedbackLoopConfig) feedback_loop!: FeedbackLoopConfig;
}

export class LockPolicyConfig {
  /** The seed's rule: a stress test never holds a service for more than 30 minutes. */
  @Seconds({ max: 24 * 3600 }) max_hold_s!: number;
  /**
   * Lease length; renewed at ~75 % so a dead holder frees the service within one lease. At most
   * an hour: the locks bucket's leases are capped there (libs/messaging MAX_LEASE_TTL_MS).
   */
  @Seconds({ max: 3600 }) lease_s!: number;
}
