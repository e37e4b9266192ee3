import { Type } from 'class-transformer';
import { Equals, IsDefined, ValidateNested } from 'class-validator';
import { SEVERITIES, SYMPTOMS } from './vocabulary';
import {
  Factor,
  Int,
  ListShape,
  NestedMap,
  NAME_HINT,
  NAME_PATTERN,
  OneOf,
  Ratio,
  Seconds,
  Str,
  StrList,
} from './validators';

/**
 * Runbook steps. Every action is its own class with validated parameters, so an
 * unknown action or a bad parameter fails `opscrew config check`, not a 3 a.m. run.
 */
export const RUNBOOK_ACTIONS = [
  'check_logs',
  'check_dependencies',
  'check_resources',
  'check_latency_trend',
  'check_connection_count',
  'identify_leak_source',
  'collect_memory_profile',
  'restart_service',
  'verify_metrics',
  'verify_stability',
  'monitor_connection_growth',
  'monitor_memory_growth',
  'monitor_latency',
  'monitor_error_rate',
  'increase_memory_limit',
] as const;
export type RunbookActionName = (typeof RUNBOOK_ACTIONS)[number];

export class RunbookStepConfig {
  @Int({ min: 1, max: 100 }) step!: number;
  @OneOf(RUNBOOK_ACTIONS) action!: RunbookActionName;
  @Str({ optional: true, maxLength: 500 }) description?: string;
}

export class CheckLogsStep extends RunbookStepConfig {
  /** Enough lines to see the first error of a burst, small enough to stay readable in a comment. */
  @Int({ optional: true, min: 1, max: 5000 }) tail_lines: number = 200;
  /** Substrings counted in the logs and reported as evidence. */
  @StrList({ optional: true }) patterns: string[] = [];
}

export class NoParamStep extends RunbookStepConfig {}

/**
 * Two readings of the service's own p99, `interval_s` apart: rising by `min_rise_ratio` at a
 * steady request rate is saturation (time, locks, a growing table), which a restart resets:
 * it counts as resource pressure for `restart_service` with `if_resource_pressure`.
 */
export class CheckLatencyTrendStep extends RunbookStepConfig {
  /** Long enough for a creep to show beyond a window's noise, short enough not to delay the fix. */
  @Seconds({ optional: true, max: 600 }) interval_s: number = 10;
  /** +10 % between the readings: more than a p99 wobbles at steady load. */
  @Ratio({ optional: true, allowZero: false }) min_rise_ratio: number = 0.1;
}

export class RestartServiceStep extends RunbookStepConfig {
  @OneOf(['always', 'if_unhealthy', 'if_resource_pressure'], { optional: true })
  condition: 'always' | 'if_unhealthy' | 'if_resource_pressure' = 'always';
}

export class VerifyMetricsStep extends RunbookStepConfig {
  /** Overrides verification.wait_after_restart_s for this runbook. */
  @Seconds({ optional: true, allowZero: true }) wait_s?: number;
}

export class DurationStep extends RunbookStepConfig {
  @Seconds() duration_s!: number;
}

export class IncreaseMemoryLimitStep extends RunbookStepConfig {
  @Factor({ optional: true, min: 1 }) factor: number = 1.5;
  @Int({ optional: true, min: 16, max: 1_048_576 }) max_memory_mb: number = 4096;
  /** Always true: the crew proposes a bigger limit, a human approves it. Anything else is refused. */
  @IsDefined({ message: 'is required' })
  @Equals(true, {
    message: 'must be true: memory limits are proposed for approval, never applied automatically',
  })
  requires_approval!: boolean;
}

const STEP_SUBTYPES: { value: new () => RunbookStepConfig; name: RunbookActionName }[] = [
  { value: CheckLogsStep, name: 'check_logs' },
  { value: NoParamStep, name: 'check_dependencies' },
  { value: NoParamStep, name: 'check_resources' },
  { value: CheckLatencyTrendStep, name: 'check_latency_trend' },
  { value: NoParamStep, name: 'check_connection_count' },
  { value: NoParamStep, name: 'identify_leak_source' },
  { value: NoParamStep, name: 'collect_memory_profile' },
  { value: RestartServiceStep, name: 'restart_service' },
  { value: VerifyMetricsStep, name: 'verify_metrics' },
  { value: DurationStep, name: 'verify_stability' },
  { value: DurationStep, name: 'monitor_connection_growth' },
  { value: DurationStep, name: 'monitor_memory_growth' },
  { value: DurationStep, name: 'monitor_latency' },
  { value: DurationStep, name: 'monitor_error_rate' },
  { value: IncreaseMemoryLimitStep, name: 'increase_memory_limit' },
];

export class RunbookMatchConfig {
  /** Detector symptoms this runbook handles. */
  @StrList({ values: SYMPTOMS }) symptoms!: string[];
  /**
   * Strings that, found in logs or container state, make this runbook the
   * right one (`OOMKilled`, `exit code 137`, `pool exhausted`). Evidence beats symptoms.
   */
  @StrList({ optional: true }) evidence: string[] = [];
}

export class RunbookConfig {
  @Str({ maxLength: 500 }) description!: string;
  @OneOf(SEVERITIES) severity!: string;
  @IsDefined({ message: 'is required' })
  @ValidateNested()
  @Type(() => RunbookMatchConfig)
  match!: RunbookMatchConfig;
  @IsDefined({ message: 'is required' })
  @ListShape(1)
  @ValidateNested({ each: true })
  @Type(() => RunbookStepConfig, {
    discriminator: { property: 'action', subTypes: STEP_SUBTYPES },
    keepDiscriminatorProperty: true,
  })
  actions!: RunbookStepConfig[];
  /** The same fault this many times within the dedup window means a restart is not the cure. */
  @Int({ optional: true, min: 1, max: 100 }) escalate_after_repeats?: number;
}

export class RunbooksConfig {
  @NestedMap(() => RunbookConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  patterns!: Map<string, RunbookConfig>;
}
