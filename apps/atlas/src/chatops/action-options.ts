import { type CommandRequester, IDENTIFIER_MAX_LENGTH, LABEL_MAX_LENGTH } from '@opscrew/contracts';
import { type ChatCaller, type ChatOptions } from './chat-command';

/** An option a command cannot work with: its message goes back to the caller as is. */
export class ChatOptionError extends Error {
  override readonly name = 'ChatOptionError';
}

/** A string option, trimmed; a missing required one or a non-string is a ChatOptionError naming it. */
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
    if (required) throw new ChatOptionError(`/${command}: the option ${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string')
    throw new ChatOptionError(
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
