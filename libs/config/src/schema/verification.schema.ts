import { Int, Nested, Ratio, Ms, Seconds } from './validators';

export class SuccessCriteriaConfig {
  @Ratio() error_rate_below!: number;
  @Ms({ latency: true }) latency_below_ms!: number;
  /** Passes in a row: one good sample right after a restart proves little. */
  @Int({ min: 1, max: 100 }) consecutive_checks!: number;
}

export class VerificationConfig {
  /** Let the restarted service warm up before judging it. */
  @Seconds({ allowZero: true }) wait_after_restart_s!: number;
  @Seconds() check_interval_s!: number;
  @Nested(() => SuccessCriteriaConfig) success_criteria!: SuccessCriteriaConfig;
  /** Failed checks allowed before the fix is declared not to work and the incident escalates. */
  @Int({ min: 1, max: 1000 }) failure_budget_checks!: number;
  /**
   * Upper bound on every runbook watch (`verify_stability`, `monitor_*`
   * `duration_s`). Unset in production; staging and the demo set it so a
   * 5-minute stability watch does not stall a compressed run.
   */
  @Seconds({ optional: true }) max_watch_s?: number;
}
