import {
  IsFlag,
  IsNested,
  IsOneOf,
  IsText,
  IsToken,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import {
  IDENTIFIER_MAX_LENGTH,
  LABEL_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from './field-limits';

/** Where a human's command came from: a Discord user through the interactions endpoint, or `opscrew chat`. */
export const COMMAND_CHANNELS = ['discord', 'cli'] as const;
export type CommandChannel = (typeof COMMAND_CHANNELS)[number];

/** The commands a human sends the crew over the bus (ChatOps actions). */
export const CREW_COMMANDS = ['restart'] as const;
export type CrewCommand = (typeof CREW_COMMANDS)[number];

/**
 * A request id: a token, so it can key a KV entry (`command.<id>`) and a deterministic event id
 * (`command.result.<id>`) without escaping.
 */
export const REQUEST_ID_MAX_LENGTH = 64;

/** The human a command is audited as (never trusted as an instruction: `name` is data). */
export class CommandRequester {
  @IsOneOf(COMMAND_CHANNELS)
  via!: CommandChannel;

  /** Discord user id, or the local user name for the CLI. */
  @IsText(IDENTIFIER_MAX_LENGTH)
  id!: string;

  /** Display name, for the audit trail and replies. */
  @IsText(LABEL_MAX_LENGTH)
  name!: string;
}

/**
 * `command.restart`: a human asks the crew to restart a service (`/restart <service>`). atlas
 * publishes it; jira-resolver runs it through the same guardrails as a runbook's restart.
 */
export class CommandRestartEvent extends EventEnvelope {
  /** Correlates the result (`command.result`) and makes a redelivery a no-op. */
  @IsToken(REQUEST_ID_MAX_LENGTH)
  request_id!: string;

  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsNested(() => CommandRequester)
  requested_by!: CommandRequester;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  reason?: string;
}

/** `command.result`: what a command did, for the human who sent it (atlas relays it). */
export class CommandResultEvent extends EventEnvelope {
  @IsToken(REQUEST_ID_MAX_LENGTH)
  request_id!: string;

  @IsOneOf(CREW_COMMANDS)
  command!: CrewCommand;

  /** true: done as asked; false: refused or failed (`text` says why). */
  @IsFlag()
  ok!: boolean;

  /** One or two sentences for the human (neutralised before it reaches Discord). */
  @IsText(NOTE_MAX_LENGTH)
  text!: string;
}
