/**
 * A command refused for a reason the caller can act on (unknown incident, bad service): the
 * router answers its message as the reply and audits the command as refused. Any other error
 * a handler throws is a failure, answered as such.
 */
export class ChatCommandError extends Error {
  override readonly name = 'ChatCommandError';
}
