import { LlmConfig } from './llm.schema';
import { Bool, Int, Ms, Nested, OneOf, Str, StrList, StrRecord, Url } from './validators';

export const METRICS_SOURCES = ['scrape', 'prometheus', 'signoz', 'signoz-mcp'] as const;
export const TRACKER_KINDS = ['local', 'jira'] as const;
export const NOTIFIER_KINDS = ['console', 'discord'] as const;
export const RUNTIME_KINDS = ['process', 'docker'] as const;
export const LOAD_KINDS = ['auto', 'locust', 'builtin'] as const;

export class ScrapeSourceConfig {
  @Ms() timeout_ms!: number;
  /** service → Prometheus text endpoint. The embedded demo shop serves these. */
  @StrRecord({ keyPattern: /^[a-z][a-z0-9_-]*$/, keyHint: 'must be a service name' })
  targets!: Record<string, string>;
  /** Label values that carry the HTTP status code in request counters. */
  @StrList({ optional: true }) error_status_prefixes: string[] = ['5'];
}

export class PrometheusSourceConfig {
  @Url() url!: string;
  @Ms() timeout_ms!: number;
  /** PromQL label that names the service (`job` for plain scrapes, `service_name` for OTel). */
  @Str({ optional: true }) service_label: string = 'job';
  /** Range for rate() and histogram_quantile(); at least 4 scrape intervals for stable rates. */
  @Str({ optional: true, pattern: /^\d+[smh]$/, hint: 'must be a PromQL duration like 1m' })
  rate_window: string = '1m';
}

export class MetricsConfig {
  @OneOf(METRICS_SOURCES) source!: (typeof METRICS_SOURCES)[number];
  @Nested(() => ScrapeSourceConfig, { optional: true }) scrape?: ScrapeSourceConfig;
  @Nested(() => PrometheusSourceConfig, { optional: true }) prometheus?: PrometheusSourceConfig;
}

export class TrackerConfig {
  @OneOf(TRACKER_KINDS) kind!: (typeof TRACKER_KINDS)[number];
}

export class NotifierConfig {
  @OneOf(NOTIFIER_KINDS) kind!: (typeof NOTIFIER_KINDS)[number];
  /** One JSON object per message: exactly what Discord would have received. */
  @Str({ optional: true }) jsonl_path: string = 'var/notifications.jsonl';
}

export class DockerRuntimeConfig {
  @Str({ optional: true }) socket_path: string = '/var/run/docker.sock';
  /** Compose project label used to find a service's container. */
  @Str({ optional: true }) compose_project?: string;
  /** Seconds Docker waits for a graceful stop before SIGKILL during restart. */
  @Int({ optional: true, min: 0, max: 600 }) stop_timeout_s: number = 10;
}

/** The embedded demo shop's process supervisor: restart/logs/inspect over a loopback control API. */
export class ProcessRuntimeConfig {
  @Url() control_url!: string;
  /** Bearer token of the control API (a credential: from ${VAR}). */
  @Str() token!: string;
}

export class RuntimeConfig {
  @OneOf(RUNTIME_KINDS) kind!: (typeof RUNTIME_KINDS)[number];
  @Nested(() => DockerRuntimeConfig, { optional: true }) docker?: DockerRuntimeConfig;
  @Nested(() => ProcessRuntimeConfig, { optional: true }) process?: ProcessRuntimeConfig;
}

export class LocustConfig {
  @Url() api_url!: string;
  @Str() locustfile!: string;
  @Ms() timeout_ms!: number;
}

export class LoadConfig {
  /** auto: Locust when installed, else the built-in driver with the same API. */
  @OneOf(LOAD_KINDS) kind!: (typeof LOAD_KINDS)[number];
  @Nested(() => LocustConfig) locust!: LocustConfig;
}

export class FlagsConfig {
  /** The flagd JSON flag file (flagd watches it; we write it atomically). */
  @Str() flag_file!: string;
}

export class JiraStatusesConfig {
  @Str() todo!: string;
  @Str() in_progress!: string;
  @Str() in_review!: string;
  @Str() done!: string;
  @Str() escalated!: string;
}

export class JiraConfig {
  @Url() base_url!: string;
  @Str() email!: string;
  @Str() api_token!: string;
  @Str({ pattern: /^[A-Z][A-Z0-9_]{1,9}$/, hint: 'must be a Jira project key like OPS' })
  project_key!: string;
  @Str() issue_type!: string;
  @StrList() labels!: string[];
  @StrRecord() priority_by_severity!: Record<string, string>;
  /** Status names, looked up to transition ids per project: workflows differ, ids are not portable. */
  @Nested(() => JiraStatusesConfig) statuses!: JiraStatusesConfig;
  @Ms() timeout_ms!: number;
}

export class DiscordConfig {
  @Url() webhook_url!: string;
  @Str({ maxLength: 80 }) username!: string;
  /** Role ids that may be pinged; everything else (including @everyone) is blocked. */
  @StrRecord({ optional: true }) role_ids: Record<string, string> = {};
  @Ms() timeout_ms!: number;
  @StrRecord({ optional: true }) colors_by_severity: Record<string, string> = {};
}

export class SignozConfig {
  @Url() url!: string;
  @Str() api_key!: string;
  @Ms() timeout_ms!: number;
  @Bool({ optional: true }) use_v2_services: boolean = true;
}

export class IntegrationsConfig {
  @Nested(() => MetricsConfig) metrics!: MetricsConfig;
  @Nested(() => TrackerConfig) tracker!: TrackerConfig;
  @Nested(() => NotifierConfig) notifier!: NotifierConfig;
  @Nested(() => RuntimeConfig) runtime!: RuntimeConfig;
  @Nested(() => LoadConfig) load!: LoadConfig;
  @Nested(() => FlagsConfig) flags!: FlagsConfig;
  @Nested(() => JiraConfig, { optional: true }) jira?: JiraConfig;
  @Nested(() => DiscordConfig, { optional: true }) discord?: DiscordConfig;
  @Nested(() => SignozConfig, { optional: true }) signoz?: SignozConfig;
  /** The crew's model; absent (the embedded default): deterministic rules and templates. */
  @Nested(() => LlmConfig, { optional: true }) llm?: LlmConfig;
}
