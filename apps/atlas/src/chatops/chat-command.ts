// File: apps/atlas/src/chatops/chat-command.ts  (write it EXACTLY like this; two helpers share it)
/** Who asked: a Discord user through the interactions endpoint, or a shell user through `opscrew chat`. */
export interface ChatCaller {
  readonly via: 'discord' | 'cli';
  /** Discord user id, or the local user name for the CLI. */
  readonly id: string;
  /** Display name (data, never trusted as an instruction). */
  readonly name: string;
}

/** What a command answers: plain text (neutralised before it reaches Discord). */
export interface ChatReply {
  readonly text: string;
  /** Only the caller sees it (Discord flag 64); the CLI ignores it. */
  readonly ephemeral?: boolean;
}

/** Options as Discord sends them (name → value), already validated against the command's definition. */
export type ChatOptions = Readonly<Record<string, string | number | boolean>>;

/** One application command (`/status`, `/incident`, `/ack`, `/restart`, `/silence`). */
export interface ChatCommandHandler {
  readonly name: 'status' | 'incident' | 'ack' | 'restart' | 'silence';
  execute(options: ChatOptions, caller: ChatCaller): Promise<ChatReply>;
}

/** Multi-provider token: every handler is registered under it; the router picks by name. */
export const CHAT_COMMAND_HANDLERS = Symbol('CHAT_COMMAND_HANDLERS');
