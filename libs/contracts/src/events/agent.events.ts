import { REPLICA_ID_MAX_LENGTH, REPLICA_ID_PATTERN } from '../heartbeat-keys';
import { AGENT_NAMES, type AgentName } from '../subjects';
import {
  IsFiniteNumber,
  IsInteger,
  IsOneOf,
  IsText,
  IsTimestamp,
  NullableField,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import { LABEL_MAX_LENGTH, NOTE_MAX_LENGTH } from './field-limits';

export const AGENT_STATUSES = ['ok', 'degraded'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** `heartbeat.<agent>`: alive, version, lag, last cycle. */
export class HeartbeatEvent extends EventEnvelope {
  /** Must equal the subject's last token. */
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

  /** Which replica of the agent beat (several may run against one bus); absent from older agents. */
  @OptionalField()
  @IsText(REPLICA_ID_MAX_LENGTH, { pattern: REPLICA_ID_PATTERN, describe: 'a DNS label' })
  replica?: string;

  @IsText(LABEL_MAX_LENGTH)
  version!: string;

  @IsInteger(1)
  pid!: number;

  @IsFiniteNumber({ min: 0 })
  uptime_s!: number;

  @IsOneOf(AGENT_STATUSES)
  status!: AgentStatus;

  @OptionalField()
  @IsTimestamp()
  last_cycle_at?: string;

  /** How far the agent's work loop runs behind schedule. */
  @OptionalField()
  @IsFiniteNumber({ min: 0 })
  lag_ms?: number;
}

/** `agent.stale`: atlas saw no heartbeat from an agent within its allowance. */
export class AgentStaleEvent extends EventEnvelope {
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

  /** `null` when the agent was never seen since atlas started. */
  @NullableField()
  @IsTimestamp()
  last_heartbeat_at!: string | null;

  @NullableField()
  @IsFiniteNumber({ min: 0 })
  age_s!: number | null;

  @IsFiniteNumber({ exclusiveMin: 0 })
  max_age_s!: number;
}

/** What atlas did about a stale agent's runtime (`agent.restarted`). */
export const AGENT_RESTART_OUTCOMES = ['restarted', 'failed', 'unsupported', 'gave_up'] as const;
export type AgentRestartOutcome = (typeof AGENT_RESTART_OUTCOMES)[number];
/** The runtimes atlas can restart through (config `liveness.runtime.kind`). */
export const AGENT_RUNTIME_NAMES = ['supervisor', 'docker', 'none'] as const;
export type AgentRuntimeName = (typeof AGENT_RUNTIME_NAMES)[number];

/**
 * `agent.restarted`: atlas acted on a stale agent's runtime, once per stale episode — it was
 * restarted (PIDs when the runtime knows them), the restart failed or is not possible here, or
 * atlas gave up because the agent is in a restart loop (`gave_up`: escalated, no restart).
 * The crew's record of restarts, in the event stream with every other crew event.
 */
export class AgentRestartedEvent extends EventEnvelope {
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

  @IsOneOf(AGENT_RESTART_OUTCOMES)
  outcome!: AgentRestartOutcome;

  @IsOneOf(AGENT_RUNTIME_NAMES)
  runtime!: AgentRuntimeName;

  /** The heartbeat that went missing: names the stale episode. `null`: never seen. */
  @NullableField()
  @IsTimestamp()
  last_heartbeat_at!: string | null;

  @NullableField()
  @IsInteger(1)
  old_pid!: number | null;

  @NullableField()
  @IsInteger(1)
  new_pid!: number | null;

  /** Restarts atlas made within the loop window, this one included. */
  @IsInteger(0)
  restarts_in_window!: number;

  @IsText(NOTE_MAX_LENGTH)
  detail!: string;
}
