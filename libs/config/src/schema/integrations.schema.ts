import { LlmConfig } from './llm.schema';
import { Bool, Int, Ms, Nested, OneOf, Str, StrList, StrRecord, Url } from './validators';
import { SEVERITIES, SYMPTOMS } from './vocabulary';

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

/** A Prometheus label name (the data model's `[a-zA-Z_][a-zA-Z0-9_]*`). */
const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The labels exporters put a request's HTTP status in, in the order they are looked for:
 * prom-client's examples (`status_code`), Go's promhttp (`code`), many hand-written exporters
 * (`status`), OTel semconv before 1.20 (`http.status_code`) and after (`http.response.status_code`)
 * as Prometheus spells them.
 */
export const DEFAULT_STATUS_LABELS = [
  'status_code',
  'code',
  'status',
  'http_status_code',
  'http_response_status_code',
] as const;

/** An HTTP status starting with one of these is an error: `5` is every 5xx. */
export const DEFAULT_ERROR_STATUS_PREFIXES = ['5'] as const;

/**
 * The error classes a span-status source (SigNoz) can measure: it counts a request as failed
 * when its span status is Error, which OTel's HTTP server instrumentations set for 5xx only
 * (4xx is the client's fault, per the semantic conventions). Any other class would be
 * silently 0 there — so it is refused instead (null: the prefixes are measurable).
 */
export function spanStatusMismatch(errorPrefixes: readonly string[]): string | null {
  if (errorPrefixes.length === 1 && errorPrefixes[0] === '5') return null;
  return (
    `SigNoz counts a request as failed by its span status (Error: 5xx for OTel HTTP servers), ` +
    `so only ["5"] can be measured there (got ${JSON.stringify(errorPrefixes)})`
  );
}

/**
 * How a request counter says whether a request failed, for every metrics source of a
 * deployment (the scrape and Prometheus sources read the labels; SigNoz decides errors by
 * span status, which is the 5xx class). A service whose request series carry none of these
 * labels is reported as missing data, never as 0 % errors.
 */
export class RequestStatusConfig {
  /** Labels carrying the status, tried in order on each series: the first one present decides. */
  @StrList({
    optional: true,
    pattern: LABEL_NAME_PATTERN,
    hint: 'must be a Prometheus label name',
    minSize: 1,
    unique: true,
  })
  labels: string[] = [...DEFAULT_STATUS_LABELS];
  /** Status prefixes that count as errors: `5` = 5xx; `429` adds throttling, `4` every 4xx. */
  @StrList({
    optional: true,
    pattern: /^[1-5][0-9]{0,2}$/,
    hint: 'must be an HTTP status code or a prefix of one, like 5 or 429',
    minSize: 1,
    unique: true,
  })
  error_prefixes: string[] = [...DEFAULT_ERROR_STATUS_PREFIXES];
}

export class MetricsConfig {
  @OneOf(METRICS_SOURCES) source!: (typeof METRICS_SOURCES)[number];
  /** Which label says a request failed; absent: the defaults above. */
  @Nested(() => RequestStatusConfig, { optional: true })
  request_status: RequestStatusConfig = new RequestStatusConfig();
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

/** A Discord snowflake (application, guild ids): 17–20 digits. */
const SNOWFLAKE_PATTERN = /^[1-9][0-9]{16,19}$/;

/**
 * Two-way ChatOps: atlas's `POST /discord/interactions` (slash commands from Discord) and
 * `opscrew discord register-commands`. Absent: the endpoint is not mounted (atlas says so in
 * its log); `opscrew chat` works without it. Credentials come from ${VAR}s.
 */
export class DiscordInteractionsConfig {
  /** The application's id (Developer Portal → General Information). */
  @Str({ pattern: SNOWFLAKE_PATTERN, hint: 'must be a Discord application id (17-20 digits)' })
  application_id!: string;
  /** The application's Ed25519 public key, 64 hex characters: every request is verified with it. */
  @Str({ pattern: /^[0-9a-fA-F]{64}$/, hint: 'must be the 64 hex characters of the public key' })
  public_key!: string;
  /** Bot token: only `opscrew discord register-commands` uses it (a credential: from ${VAR}). */
  @Str({ optional: true }) bot_token?: string;
  /** Register the commands in this guild only (instant) instead of globally. */
  @Str({
    optional: true,
    pattern: SNOWFLAKE_PATTERN,
    hint: 'must be a Discord guild id (17-20 digits)',
  })
  guild_id?: string;
  /** Discord's REST API root (tests point it at the contract server). */
  @Url({ optional: true }) api_base_url: string = 'https://discord.com/api/v10';
  /** Per call to Discord's REST API (deferred answers, registration). */
  @Ms({ optional: true }) timeout_ms: number = 5000;
}

export class SignozConfig {
  @Url() url!: string;
  @Str() api_key!: string;
  @Ms() timeout_ms!: number;
  @Bool({ optional: true }) use_v2_services: boolean = true;
}

/**
 * How ops-monitor's `POST /alerts/alertmanager` turns a Prometheus Alertmanager alert into an
 * `incident.reported`. Labels are the alert's own; nothing here is a secret (the webhook's
 * bearer token is `http.api_token`).
 */
export class AlertmanagerIntakeConfig {
  /** Labels naming the service, tried in order: the first naming a watched service (or alias) wins. */
  @StrList({
    optional: true,
    pattern: LABEL_NAME_PATTERN,
    hint: 'must be a Prometheus label name',
  })
  service_labels: string[] = ['service', 'service_name', 'job'];
  /** For alerts without a `symptom` label: their `alertname` → one of the crew's symptoms. */
  @StrRecord({ optional: true, values: SYMPTOMS })
  symptoms_by_alertname: Record<string, string> = {};
  /** The alert's `severity` label → the crew's severity; an unmapped one falls back to the bands. */
  @StrRecord({ optional: true, values: SEVERITIES })
  severity_by_label: Record<string, string> = {
    critical: 'critical',
    error: 'high',
    warning: 'medium',
    info: 'info',
  };
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
  /** Slash commands from Discord into atlas; absent: no interactions endpoint. */
  @Nested(() => DiscordInteractionsConfig, { optional: true })
  discord_interactions?: DiscordInteractionsConfig;
  @Nested(() => SignozConfig, { optional: true }) signoz?: SignozConfig;
  /** The crew's model; absent (the embedded default): deterministic rules and templates. */
  @Nested(() => LlmConfig, { optional: true }) llm?: LlmConfig;
  /** Prometheus Alertmanager's webhook into ops-monitor; absent: the defaults above. */
  @Nested(() => AlertmanagerIntakeConfig, { optional: true })
  alertmanager: AlertmanagerIntakeConfig = new AlertmanagerIntakeConfig();
}
