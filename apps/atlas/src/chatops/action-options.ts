import { type CommandRequester, IDENTIFIER_MAX_LENGTH, LABEL_MAX_LENGTH } from '@opscrew/contracts';
import { type ChatCaller, type ChatOptions } from './chat-command';
import { ChatCommandError } from './chat-command.error';

/**
 * A string option, trimmed; a missing required one or a non-string is a refusal
 * (ChatCommandError) naming it. The router checks options against the definitions first; this
 * keeps a handler safe when it is called directly.
 */
export function stringOption(
  options: ChatOptions,
  command: string,
  name: string,
  required: true,
): string;
export function stringOption(
  options: ChatOptions,
  command: string,
  name: string,
  required: false,
): string | undefined;
export function stringOption(
  options: ChatOptions,
  command: string,
  name: string,
  required: boolean,
): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(options, name) ? options[name] : undefined;
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
    if (required) throw new ChatCommandError(`/${command}: the option ${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string')
    throw new ChatCommandError(
      `/${command}: the option ${name} must be text, got a ${typeof value}`,
    );
  return value.trim();
}

/** The caller as the bus and the audit trail name them (cut to the contract's bounds). */
export function requesterOf(caller: ChatCaller): CommandRequester {
  return {
    via: caller.via,
    id: caller.id.slice(0, IDENTIFIER_MAX_LENGTH),
    name: caller.name.slice(0, LABEL_MAX_LENGTH),
  };
}
