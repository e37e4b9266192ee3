import { CommandRequester } from '../events/command.events';
import {
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from '../events/field-limits';
import {
  IsFlag,
  IsNested,
  IsOneOf,
  IsText,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

export const COMMAND_RUN_STATES = ['started', 'done'] as const;
export type CommandRunState = (typeof COMMAND_RUN_STATES)[number];

/**
 * One human command as jira-resolver ran it, in the `remediations` bucket under
 * `command.<request id>`. Created (KV create) before anything is done, so a redelivered
 * command finds it and never acts twice; `done` carries the answer to repeat.
 */
export class CommandRunRecord {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsNested(() => CommandRequester)
  requested_by!: CommandRequester;

  @IsOneOf(COMMAND_RUN_STATES)
  state!: CommandRunState;

  @IsTimestamp()
  started_at!: string;

  @OptionalField()
  @IsFlag()
  ok?: boolean;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  text?: string;
}
