import {
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_PATTERN,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from '@opscrew/contracts';
import { type ChatCommandHandler } from './chat-command';

export type ChatCommandName = ChatCommandHandler['name'];

/** Discord's option type for a string (the only kind our commands take). */
export const DISCORD_STRING_OPTION = 3;
/** Discord's command type for a slash command (CHAT_INPUT). */
export const DISCORD_SLASH_COMMAND = 1;

/** One option of a command: what Discord shows, and what a value must look like (ours). */
export interface ChatOptionDefinition {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly maxLength: number;
  /** What a value must match; checked for Discord and `opscrew chat` alike. */
  readonly pattern: RegExp;
  /** Says what `pattern` wants, in the error that names a bad value. */
  readonly hint: string;
  /** In chat text, this (last) option takes the rest of the line: `/silence cart 2h deploy in progress`. */
  readonly rest?: boolean;
}

export interface ChatCommandDefinition {
  readonly name: ChatCommandName;
  readonly description: string;
  readonly options: readonly ChatOptionDefinition[];
}

const service = (required: boolean, description: string): ChatOptionDefinition => ({
  name: 'service',
  description,
  required,
  maxLength: SERVICE_NAME_MAX_LENGTH,
  pattern: SERVICE_NAME_PATTERN,
  hint: 'a service name (letters, digits, ".", "_", "-")',
});

const incidentId = (description: string): ChatOptionDefinition => ({
  name: 'id',
  description,
  required: true,
  maxLength: 64,
  pattern: INCIDENT_ID_PATTERN,
  hint: `an incident id (${INCIDENT_ID_FORMAT}, e.g. INC-20250131-001-7k2q)`,
});

/**
 * The five ChatOps commands: the one source for Discord's registration (`opscrew discord
 * register-commands`), for checking the options Discord sends, and for parsing the text of
 * `opscrew chat "/status cart"`. Every option is a string; its pattern is checked here, the
 * handler applies its own rules (a watched service, the silence's longest duration) on top.
 */
export const CHAT_COMMAND_DEFINITIONS: readonly ChatCommandDefinition[] = [
  {
    name: 'status',
    description: "The crew's agents and open incidents, or one service's incidents",
    options: [service(false, 'Only this service (default: every service)')],
  },
  {
    name: 'incident',
    description: 'One incident: phase, severity, ticket and its last steps',
    options: [incidentId('The incident id, INC-YYYYMMDD-NNN-EEEE')],
  },
  {
    name: 'ack',
    description: 'Take an incident: stop its escalation (no further pages)',
    options: [incidentId('The incident id, INC-YYYYMMDD-NNN-EEEE')],
  },
  {
    name: 'restart',
    description: 'Restart a service (same policy, lock and limits as a remediation)',
    options: [service(true, 'The service to restart')],
  },
  {
    name: 'silence',
    description: 'A maintenance window: no detections or pages for a service for a while',
    options: [
      service(true, 'The service to silence'),
      {
        name: 'duration',
        description: 'How long, e.g. 30m or 2h',
        required: true,
        maxLength: 5,
        pattern: /^[1-9][0-9]{0,3}[mhd]$/,
        hint: 'a duration like 30m, 2h or 1d',
      },
      {
        name: 'reason',
        description: 'Why (shown with the window)',
        required: false,
        maxLength: 200,
        pattern: /^[^\r\n]+$/,
        hint: 'one line of text',
        rest: true,
      },
    ],
  },
];

export function chatCommandDefinition(name: string): ChatCommandDefinition | undefined {
  return CHAT_COMMAND_DEFINITIONS.find((definition) => definition.name === name);
}

/** A command as Discord's `PUT /applications/{id}/commands` takes it. */
export interface DiscordCommandRegistration {
  readonly type: typeof DISCORD_SLASH_COMMAND;
  readonly name: string;
  readonly description: string;
  readonly options: readonly {
    readonly type: typeof DISCORD_STRING_OPTION;
    readonly name: string;
    readonly description: string;
    readonly required: boolean;
    readonly max_length: number;
  }[];
}

/** The definitions as Discord registers them (our patterns stay here: Discord has no such field). */
export function discordCommandRegistrations(
  definitions: readonly ChatCommandDefinition[] = CHAT_COMMAND_DEFINITIONS,
): DiscordCommandRegistration[] {
  return definitions.map((definition) => ({
    type: DISCORD_SLASH_COMMAND,
    name: definition.name,
    description: definition.description,
    // Discord requires required options before optional ones; ours are declared that way.
    options: definition.options.map((option) => ({
      type: DISCORD_STRING_OPTION,
      name: option.name,
      description: option.description,
      required: option.required,
      max_length: option.maxLength,
    })),
  }));
}
