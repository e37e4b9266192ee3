/**
 * Words the configuration shares with the rest of the crew (agent names and
 * severities come from libs/contracts, the bus vocabulary), so that config
 * validation rejects a typo ("ops-moniter", "hgih") before any service starts.
 */
import { AGENT_NAMES, ESCALATION_LEVELS, SEVERITIES } from '@opscrew/contracts';

export { AGENT_NAMES, ESCALATION_LEVELS, SEVERITIES };
export type { AgentName, EscalationLevel, Severity } from '@opscrew/contracts';

/** Symptoms a detector can name and a runbook can match. */
export const SYMPTOMS = [
  'high_error_rate',
  'high_latency',
  'oom_kill',
  'connection_pool_exhaustion',
  'container_crash',
  'dependency_failure',
  'error_rate_drift',
  'latency_drift',
  'traffic_drop',
  'high_cpu',
  'high_memory',
  // An SLO's error budget burning too fast (ops-monitor's SLO accounting): fast pages, slow tickets.
  'slo_burn_fast',
  'slo_burn_slow',
] as const;
export type Symptom = (typeof SYMPTOMS)[number];

export const AGENT_MODES = ['act', 'observe'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

/** Runtime commands the sandbox knows; only some are ever allowed (see sandbox config). */
export const RUNTIME_COMMANDS = [
  'restart',
  'logs',
  'inspect',
  'rm',
  'exec',
  'build',
  'kill',
  'stop',
  'start',
  'pause',
  'update',
  'run',
] as const;
export type RuntimeCommand = (typeof RUNTIME_COMMANDS)[number];
/** The only commands any agent may ever be granted: remediation restarts and reads, nothing destructive. */
export const GRANTABLE_RUNTIME_COMMANDS = ['restart', 'logs', 'inspect'] as const;
