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
import { LABEL_MAX_LENGTH } from './field-limits';

export const AGENT_STATUSES = ['ok', 'degraded'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** `heartbeat.<agent>`: alive, version, lag, last cycle. */
export class HeartbeatEvent extends EventEnvelope {
  /** Must equal the subject's last token. */
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

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
