import {
  AGENT_MODES,
  type AgentMode,
  GRANTABLE_RUNTIME_COMMANDS,
  RUNTIME_COMMANDS,
} from './vocabulary';
import {
  Bool,
  Cron,
  Int,
  Minutes,
  Nested,
  NestedMap,
  NAME_HINT,
  NAME_PATTERN,
  OneOf,
  Ratio,
  Seconds,
  Str,
  StrList,
  TimeZone,
  Url,
} from './validators';
import { BusAuthConfig } from './bus.schema';
import { DockerRuntimeConfig } from './integrations.schema';
import { LearningConfig, LockPolicyConfig, ScenarioConfig } from './scenario.schema';

export class PromptConfig {
  @Str({ maxLength: 20_000 }) system!: string;
  /** Restated in code: every one of these is also enforced by a guardrail, never only here. */
  @StrList({ optional: true }) security_instructions: string[] = [];
}

export class FilesystemSandboxConfig {
  /** Paths relative to the project root (the config directory's parent). */
  @StrList() read!: string[];
  @StrList() write!: string[];
}

export class RuntimeSandboxConfig {
  @StrList({ values: GRANTABLE_RUNTIME_COMMANDS }) allowed_commands!: string[];
  /** Listed for the audit trail; anything not allowed is refused anyway. */
  @StrList({ optional: true, values: RUNTIME_COMMANDS }) blocked_commands: string[] = [];
}

export class SandboxConfig {
  @Nested(() => FilesystemSandboxConfig) filesystem!: FilesystemSandboxConfig;
  /** Absent: this agent has no access to the container/process runtime at all. */
  @Nested(() => RuntimeSandboxConfig, { optional: true }) runtime?: RuntimeSandboxConfig;
}

export class ScheduleConfig {
  @Cron() cron!: string;
  @Str() description!: string;
  @Bool({ optional: true }) enabled: boolean = true;
  /** IANA zone the cron is read in; absent: `crew.timezone`. */
  @TimeZone({ optional: true }) timezone?: string;
}

/**
 * What atlas restarts a stale agent through. `supervisor`: `opscrew start all`'s loopback control
 * endpoint (its URL and per-run token reach atlas's process environment from the supervisor
 * itself, never a file); `docker`: the Docker Engine API, only containers labelled
 * `opscrew.agent=<agent>` (compose); `none`: the platform restarts (a Kubernetes liveness
 * probe), atlas only reports.
 */
export const AGENT_RUNTIME_KINDS = ['supervisor', 'docker', 'none'] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIME_KINDS)[number];

export class AgentRuntimeConfig {
  @OneOf(AGENT_RUNTIME_KINDS) kind!: AgentRuntimeKind;
  /** `kind: docker` only; absent: the default socket, any compose project. */
  @Nested(() => DockerRuntimeConfig, { optional: true }) docker?: DockerRuntimeConfig;
}

/** N restarts in M minutes: past that atlas stops restarting and escalates (a crash loop). */
export class RestartLoopConfig {
  @Int({ optional: true, min: 1, max: 100 }) max_restarts: number = 3;
  @Minutes({ optional: true }) window_minutes: number = 15;
}

export class LivenessConfig {
  /** How often atlas compares heartbeat ages with each agent's max_age_s. */
  @Seconds() check_interval_s!: number;
  @OneOf(['notify', 'notify_and_restart']) on_stale!: 'notify' | 'notify_and_restart';
  @Nested(() => AgentRuntimeConfig, { optional: true })
  runtime: AgentRuntimeConfig = Object.assign(new AgentRuntimeConfig(), { kind: 'none' });
  @Nested(() => RestartLoopConfig, { optional: true })
  restart_loop: RestartLoopConfig = new RestartLoopConfig();
}

export class QualityTargetsConfig {
  @Ratio() accuracy_ratio!: number;
  @Ratio() completeness_ratio!: number;
  @Ratio() actionability_ratio!: number;
}

export class MonitorSettingsConfig {
  /** The detection cycle ("periodic check"); not to be confused with the liveness heartbeat. */
  @Seconds() cycle_interval_s!: number;
  @Nested(() => QualityTargetsConfig) quality_targets!: QualityTargetsConfig;
}

export class ResolverSettingsConfig {
  /** How often To Do tickets labelled auto-detected are polled when the tracker is Jira. */
  @Seconds() ticket_poll_interval_s!: number;
}

export class ControllerSettingsConfig {
  @NestedMap(() => ScenarioConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  scenarios!: Map<string, ScenarioConfig>;
  @Nested(() => LearningConfig) learning!: LearningConfig;
  @Nested(() => LockPolicyConfig) lock!: LockPolicyConfig;
  /**
   * The watched service load enters through (the shop's web frontend): its scrape target's
   * origin is the load's host, and every service behind it is loaded (and locked) too.
   */
  @Str({ optional: true }) entry_service: string = 'frontend';
  /** Base URL the load is sent to, when the entry service has no scrape target (Prometheus, SigNoz). */
  @Url({ optional: true }) load_host?: string;
  /**
   * Host names besides loopback that fault injections may be sent to (a
   * container deployment: the shop's compose service names). Named one by
   * one, never a range: a scenario must not reach an address nobody listed.
   */
  @StrList({ optional: true, pattern: /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/ })
  fault_hosts?: string[];
}

export class AgentConfig {
  @Str({ maxLength: 500 }) description!: string;
  @Bool({ optional: true }) enabled: boolean = true;
  /** REST port; `PORT` in the environment overrides it for a single process. */
  @Int({ min: 1, max: 65_535 }) port!: number;
  /** observe = dry run: decisions are made and recorded, no side effect happens. */
  @OneOf(AGENT_MODES, { optional: true }) mode: AgentMode = 'act';
  /** Liveness ping interval; atlas marks the agent stale after max_age_s without one. */
  @Seconds() heartbeat_interval_s!: number;
  @Seconds() max_age_s!: number;
  @Nested(() => PromptConfig) prompt!: PromptConfig;
  /** Whitelist: the only tools this agent's model may call (enforced by the LLM client). */
  @StrList({ pattern: /^[a-z][a-z0-9_]*$/, hint: 'must be a snake_case tool name' })
  tools!: string[];
  @Nested(() => SandboxConfig) sandbox!: SandboxConfig;
  @NestedMap(() => ScheduleConfig, { optional: true, keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  schedules: Map<string, ScheduleConfig> = new Map();
  @Nested(() => LivenessConfig, { optional: true }) liveness?: LivenessConfig;
  @Nested(() => MonitorSettingsConfig, { optional: true }) monitor?: MonitorSettingsConfig;
  @Nested(() => ResolverSettingsConfig, { optional: true }) resolver?: ResolverSettingsConfig;
  @Nested(() => ControllerSettingsConfig, { optional: true }) controller?: ControllerSettingsConfig;
  /**
   * This agent's own NATS user, replacing `bus.user`/`bus.password` for its process
   * (least privilege: deploy/nats/nats.conf lets each user publish only its own events).
   * Absent: the root `bus` credentials (none for the embedded local NATS).
   */
  @Nested(() => BusAuthConfig, { optional: true }) bus_auth?: BusAuthConfig;
}
