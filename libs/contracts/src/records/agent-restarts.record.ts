import { LABEL_MAX_LENGTH } from '../events/field-limits';
import { AGENT_NAMES, type AgentName } from '../subjects';
import {
  IsOneOf,
  IsText,
  IsTextArray,
  IsTimestamp,
  NullableField,
} from '../validation/field.validators';

/** An ISO-8601 UTC instant, as atlas writes them (`new Date().toISOString()`). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * The value under `<agent>` in the `lifecycle` bucket: atlas's restart history of that agent,
 * so its restart-loop window and its "once per stale episode" survive atlas's own restart.
 */
export class AgentRestartsRecord {
  @IsOneOf(AGENT_NAMES)
  agent!: AgentName;

  /** When atlas asked for a restart, oldest first; only those inside the loop window are kept. */
  @IsTextArray({ maxItems: 100, maxLength: 32, pattern: ISO_INSTANT, describe: 'ISO-8601 UTC' })
  restarts!: string[];

  /** The stale episode last acted on: its missing heartbeat's time, or `never`. */
  @NullableField()
  @IsText(LABEL_MAX_LENGTH)
  last_episode!: string | null;

  /** When atlas gave up on a restart loop; null while restarts are allowed. */
  @NullableField()
  @IsTimestamp()
  gave_up_at!: string | null;
}
