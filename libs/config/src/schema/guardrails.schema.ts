import { Bool, Int, Nested, Seconds } from './validators';

export class CircuitBreakerConfig {
  /** Consecutive failures that open the breaker: stop hammering a source that is down. */
  @Int({ min: 1, max: 100 }) failure_threshold!: number;
  /** How long the breaker stays open before one trial call. */
  @Seconds() reset_timeout_s!: number;
}

export class RateLimitsConfig {
  @Int({ min: 1 }) jira_issues_per_hour!: number;
  @Int({ min: 1 }) discord_messages_per_minute!: number;
  @Int({ min: 1 }) signoz_queries_per_minute!: number;
  @Int({ min: 1 }) llm_calls_per_hour!: number;
  @Int({ min: 1 }) restarts_per_hour!: number;
}

export class RemediationLimitsConfig {
  /** Actions one runbook run may take without a human. */
  @Int({ min: 1, max: 100 }) max_auto_actions_per_run!: number;
  /** A service restarted this recently is not restarted again: restart loops hide the cause. */
  @Seconds() restart_cooldown_s!: number;
  /** Runbook runs for one incident before escalating. */
  @Int({ min: 0, max: 20 }) max_retries!: number;
  /**
   * When no runbook matches, ask the reasoning port (Claude, or rules without a
   * key) for one action from a short safe list. The proposal passes the same
   * schema, policy, lock, cooldown and rate-limit checks as a runbook step;
   * false: escalate at once, as before.
   */
  @Bool({ optional: true }) propose_when_no_runbook: boolean = true;
}

export class OutboxConfig {
  /**
   * How long an outbox claim lives without a renewal. A worker renews its claim every third of
   * this while a delivery runs and releases it on shutdown, so the TTL only matters after a
   * crash: another instance delivers the item within about this long. At least 3 s (a renewal
   * must fit in a third of it), at most 10 min. Replaces the code-only `claim_ttl_ms` (2 min).
   */
  @Int({ min: 3, max: 600, optional: true }) claim_ttl_s: number = 15;
}

export class GuardrailsConfig {
  @Nested(() => CircuitBreakerConfig) circuit_breaker!: CircuitBreakerConfig;
  @Nested(() => RateLimitsConfig) rate_limits!: RateLimitsConfig;
  @Nested(() => RemediationLimitsConfig) remediation!: RemediationLimitsConfig;
  /** Outbox hand-offs; absent: the defaults. */
  @Nested(() => OutboxConfig, { optional: true }) outbox?: OutboxConfig;
}
