import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { neutraliseLine } from '@opscrew/integrations';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import {
  CHAT_COMMAND_HANDLERS,
  type ChatCaller,
  type ChatCommandHandler,
  type ChatReply,
} from './chat-command';
import { CHAT_COMMAND_DEFINITIONS, type ChatCommandDefinition } from './chat-command.definitions';
import { ChatCommandError } from './chat-command.error';
import { checkChatOptions } from './chat-options.check';

/** How a command ended; the CLI exits non-zero for anything but `answered`. */
export type ChatOutcome = 'answered' | 'refused' | 'failed' | 'unavailable' | 'unknown';

export interface RoutedReply {
  readonly outcome: ChatOutcome;
  readonly reply: ChatReply;
}

export interface ChatRequest {
  readonly name: string;
  /** Raw option values, checked here against the command's definition. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Longest options summary kept in an audit line. */
const AUDIT_OPTIONS_MAX = 300;

/**
 * The one way a chat command runs, from Discord or `opscrew chat`: the command is looked up
 * among the five definitions, its options checked, its handler (when installed) called, and
 * every command — answered, refused, failed or unknown — audited with who asked. Errors never
 * escape: each becomes a reply (refusals with the handler's message; failures named as such).
 */
@Injectable()
export class ChatRouter {
  private readonly logger = new Logger(ChatRouter.name);
  private readonly handlers: ReadonlyMap<string, ChatCommandHandler>;
  private readonly definitions: readonly ChatCommandDefinition[] = CHAT_COMMAND_DEFINITIONS;

  constructor(
    @Inject(CHAT_COMMAND_HANDLERS) handlers: readonly ChatCommandHandler[],
    @Inject(AUDIT) private readonly audit: AuditSink,
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.name, handler]));
  }

  async run(request: ChatRequest, caller: ChatCaller): Promise<RoutedReply> {
    const routed = await this.dispatch(request, caller);
    await this.record(request, caller, routed);
    return routed;
  }

  private async dispatch(request: ChatRequest, caller: ChatCaller): Promise<RoutedReply> {
    const definition = this.definitions.find((candidate) => candidate.name === request.name);
    if (definition === undefined) {
      const known = this.definitions.map((candidate) => `/${candidate.name}`).join(', ');
      return refusal('unknown', `Unknown command /${request.name} (known: ${known}).`);
    }
    const checked = checkChatOptions(definition, request.options);
    if (!checked.ok) return refusal('refused', checked.problem);
    const handler = this.handlers.get(definition.name);
    if (handler === undefined)
      return refusal(
        'unavailable',
        `/${definition.name} is not available on this crew (its handler is not installed in atlas).`,
      );
    try {
      return { outcome: 'answered', reply: await handler.execute(checked.options, caller) };
    } catch (error: unknown) {
      if (error instanceof ChatCommandError) return refusal('refused', error.message);
      this.logger.warn(`/${definition.name} failed: ${errorMessage(error)}`);
      return refusal('failed', `/${definition.name} failed: ${errorMessage(error)}`);
    }
  }

  /** An audit line names the caller, the command, its options and how it ended. */
  private async record(
    request: ChatRequest,
    caller: ChatCaller,
    routed: RoutedReply,
  ): Promise<void> {
    const options = JSON.stringify(request.options).slice(0, AUDIT_OPTIONS_MAX);
    const who = `${caller.via} user ${caller.id} (${caller.name})`;
    const incident =
      typeof request.options['id'] === 'string' && /^INC-/.test(request.options['id'])
        ? request.options['id']
        : undefined;
    try {
      await this.audit.record({
        agent: 'atlas',
        action: `chat.${neutraliseLine(request.name).slice(0, 32)}`,
        verdict: routed.outcome === 'answered' ? 'allowed' : 'refused',
        result: neutraliseLine(
          `${who}: /${request.name} ${options} → ${routed.outcome}: ${routed.reply.text}`,
        ).slice(0, 600),
        input: {
          via: caller.via,
          caller: caller.id,
          command: request.name,
          options: request.options,
        },
        ...(incident !== undefined ? { incident_id: incident } : {}),
      });
    } catch (error: unknown) {
      // The command already ran: a lost audit line is logged loudly, not turned into a lie.
      this.logger.error(`audit of /${request.name} by ${who} failed: ${errorMessage(error)}`);
    }
  }
}

function refusal(outcome: ChatOutcome, text: string): RoutedReply {
  return { outcome, reply: { text, ephemeral: true } };
}
