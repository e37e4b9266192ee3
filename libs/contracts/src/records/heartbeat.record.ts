import { AGENT_STATUSES, type AgentStatus } from '../events/agent.events';
import { LABEL_MAX_LENGTH } from '../events/field-limits';
import { REPLICA_ID_MAX_LENGTH, REPLICA_ID_PATTERN } from '../heartbeat-keys';
import { AGENT_NAMES, type AgentName } from '../subjects';
import {
  IsFiniteNumber,
  IsInteger,
  IsOneOf,
  IsText,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

/**
 * The value under `<agent>.<replica>` in the `heartbeats` bucket: one replica's latest liveness
 * ping. atlas reads these (not the stream) so its view survives its own restart.
 */
export class HeartbeatRecord {
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

  /**
   * Which replica of the agent beat (AgentIdentity.replica). Absent in records written before
   * replicas (under the key `<agent>`): readers take the agent's name (see parseHeartbeatKey).
   */
  @OptionalField()
  @IsText(REPLICA_ID_MAX_LENGTH, { pattern: REPLICA_ID_PATTERN, describe: 'a DNS label' })
  replica?: string;

  @IsText(LABEL_MAX_LENGTH)
  version!: string;

  @IsInteger(1)
  pid!: number;

  /** When this heartbeat was sent (the agent's clock). */
  @IsTimestamp()
  at!: string;

  @IsTimestamp()
  started_at!: string;

  @IsFiniteNumber({ min: 0 })
  uptime_s!: number;

  @IsOneOf(AGENT_STATUSES)
  status!: AgentStatus;
}
