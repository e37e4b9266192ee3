import { CommandRequester } from '../events/command.events';
import {
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from '../events/field-limits';
import { IsNested, IsText, IsTimestamp, OptionalField } from '../validation/field.validators';

/**
 * A maintenance window on one service, in the `silences` bucket under `silence.<service>`.
 * NATS 2.9 has no per-key TTL, so the window carries its own end (`until`): an entry past it is
 * treated as gone by every reader, and removed by the next writer or cleanup.
 */
export class SilenceRecord {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsTimestamp()
  since!: string;

  @IsTimestamp()
  until!: string;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  reason?: string;

  @IsNested(() => CommandRequester)
  by!: CommandRequester;
}
