import { AGENT_STATUSES, type AgentStatus } from '../events/agent.events';
import { LABEL_MAX_LENGTH } from '../events/field-limits';
import { AGENT_NAMES, type AgentName } from '../subjects';
import {
  IsFiniteNumber,
  IsInteger,
  IsOneOf,
  IsText,
  IsTimestamp,
} from '../validation/field.validators';

/**
 * The value under `<agent>` in the `heartbeats` bucket: the latest liveness
 * ping. atlas reads these (not the stream) so its view survives its own restart.
 */
export class HeartbeatRecord {
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

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
