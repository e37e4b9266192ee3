import { AgentConfig } from './agent.schema';
import { AlertingConfig } from './alerting.schema';
import { BusConfig, HttpConfig } from './bus.schema';
import { CapacityConfig } from './capacity.schema';
import { BindingConfig, ChannelConfig } from './channel.schema';
import { DetectionConfig } from './detection.schema';
import { EscalationConfig } from './escalation.schema';
import { FilesConfig } from './files.schema';
import { GuardrailsConfig } from './guardrails.schema';
import { IntegrationsConfig } from './integrations.schema';
import { CrewMcpServerConfig, McpServerConfig } from './mcp.schema';
import { RunbooksConfig } from './runbook.schema';
import { ServicesConfig } from './services.schema';
import { SloConfig } from './slo.schema';
import { VerificationConfig } from './verification.schema';
import { AGENT_NAMES } from './vocabulary';
import {
  Int,
  Nested,
  NestedList,
  NestedMap,
  NAME_HINT,
  NAME_PATTERN,
  Str,
  StrRecord,
  TimeZone,
} from './validators';

export class CrewConfig {
  @Str({ maxLength: 100 }) name!: string;
  @Str({ maxLength: 50 }) environment!: string;
  /**
   * The IANA zone every schedule's cron is read in (a schedule's own `timezone` overrides it).
   * Absent: UTC — never the host's zone, so one config fires at the same instant on a laptop
   * and in a container.
   */
  @TimeZone({ optional: true }) timezone: string = 'UTC';
}

/** Layer 3 thresholds: alerting, detection rules, runbooks, escalation, verification, guardrails, SLOs. */
export class ThresholdsConfig {
  @Nested(() => AlertingConfig) alerting!: AlertingConfig;
  @Nested(() => DetectionConfig) detection!: DetectionConfig;
  @Nested(() => RunbooksConfig) runbooks!: RunbooksConfig;
  @Nested(() => EscalationConfig) escalation!: EscalationConfig;
  @Nested(() => VerificationConfig) verification!: VerificationConfig;
  @Nested(() => GuardrailsConfig) guardrails!: GuardrailsConfig;
  @Nested(() => SloConfig) slo!: SloConfig;
  /** Capacity forecasting (history kept by ops-monitor, GET /forecast, weekly report); absent: defaults. */
  @Nested(() => CapacityConfig, { optional: true }) capacity: CapacityConfig = new CapacityConfig();
}

/** The whole resolved configuration (`config/opscrew.json5` and everything it includes). */
export class OpscrewConfig {
  /** Schema version of the configuration format. */
  @Int({ min: 1, max: 1 }) version!: number;
  /** OpenClaw's env block: values for variables that neither the process nor .env set. */
  @StrRecord({
    optional: true,
    keyPattern: /^[A-Z_][A-Z0-9_]*$/,
    keyHint: 'must be an environment variable name (A-Z, 0-9, _)',
  })
  env: Record<string, string> = {};
  @Nested(() => CrewConfig) crew!: CrewConfig;
  @Nested(() => BusConfig) bus!: BusConfig;
  @Nested(() => HttpConfig, { optional: true }) http: HttpConfig = new HttpConfig();
  @NestedMap(() => AgentConfig, { keys: AGENT_NAMES }) agents!: Map<string, AgentConfig>;
  @NestedMap(() => McpServerConfig, {
    optional: true,
    keyPattern: NAME_PATTERN,
    keyHint: NAME_HINT,
  })
  mcp_servers: Map<string, McpServerConfig> = new Map();
  /** The crew's own MCP server (atlas's /mcp, `opscrew mcp`); read-only unless allow_ack. */
  @Nested(() => CrewMcpServerConfig, { optional: true })
  mcp_server: CrewMcpServerConfig = new CrewMcpServerConfig();
  @NestedMap(() => ChannelConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  channels!: Map<string, ChannelConfig>;
  @NestedList(() => BindingConfig) bindings!: BindingConfig[];
  @Nested(() => IntegrationsConfig) integrations!: IntegrationsConfig;
  /** Files the agents append to (audit, reports, notifications): rotation by size; absent: 10 MiB × 5. */
  @Nested(() => FilesConfig, { optional: true }) files: FilesConfig = new FilesConfig();
  @Nested(() => ServicesConfig) services!: ServicesConfig;
  @Nested(() => ThresholdsConfig) thresholds!: ThresholdsConfig;
}
