export * from './config.loader';
export * from './redact';
export * from './configured-secrets';
export * from './runtime-environment';
export * from './load/config-issue';
export * from './load/config-path';
export { type PathIssue } from './validate/path-issue';
export { validateConfigPart } from './validate/schema.validator';
export { ENV_NAME } from './load/env-substitutor';
export { MAX_INCLUDE_DEPTH } from './load/include.resolver';
export { MAX_CONFIG_FILE_BYTES } from './load/json5-file.reader';
export * from './nest/config.tokens';
export * from './nest/opscrew-config.module';
export * from './schema/agent.schema';
export * from './schema/alerting.schema';
export * from './schema/bus.schema';
export * from './schema/capacity.schema';
export * from './schema/channel.schema';
export * from './schema/detection.schema';
export * from './schema/escalation.schema';
export * from './schema/files.schema';
export * from './schema/guardrails.schema';
export * from './schema/integrations.schema';
export * from './schema/llm.schema';
export * from './schema/mcp.schema';
export * from './schema/opscrew-config.schema';
export * from './schema/runbook.schema';
export * from './schema/scenario.schema';
export * from './schema/services.schema';
export * from './schema/slo.schema';
export * from './schema/verification.schema';
// Agent names and severities are exported by @opscrew/contracts; only config's own words here.
export {
  AGENT_MODES,
  type AgentMode,
  GRANTABLE_RUNTIME_COMMANDS,
  RUNTIME_COMMANDS,
  type RuntimeCommand,
  SYMPTOMS,
  type Symptom,
} from './schema/vocabulary';
export * from './alerting/symptom-severity';
export * from './services/service-names';
export * from './schedules/report-schedules';
export { isTimeZone } from './schema/text.validators';
