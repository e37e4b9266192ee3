import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  Inject,
  InternalServerErrorException,
  Logger,
  type OnModuleDestroy,
  Optional,
  Post,
  type RawBodyRequest,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { errorMessage } from '@opscrew/contracts';
import { DiscordInteractionsClient } from '@opscrew/integrations';
import { type Request } from 'express';
import { type ChatCaller, type ChatReply } from './chat-command';
import { formatReplyText } from './chat-reply.format';
import { ChatRouter } from './chat.router';
import {
  describeIssues,
  DiscordInteraction,
  DiscordPing,
  FLAG_EPHEMERAL,
  INTERACTION_APPLICATION_COMMAND,
  RESPONSE_DEFERRED_MESSAGE,
  RESPONSE_MESSAGE,
  RESPONSE_PONG,
} from './discord-interaction.schema';
import { InteractionReplays } from './interaction-replays';
import { DiscordSignatureVerifier } from './discord-signature.verifier';

/**
 * How long a command may run before the answer is deferred. Discord wants the HTTP answer
 * within 3 s of sending the interaction; 2 s leaves a second for the network both ways and
 * for the signature check, so a slow handler still makes it as "thinking…".
 */
export const DEFER_AFTER_MS = 2000;

/** How long shutdown waits for deferred answers still being sent to Discord. */
const DRAIN_MS = 5000;

/** An interaction answer, as Discord takes it in the HTTP response. */
export interface InteractionResponse {
  readonly type: number;
  readonly data?: {
    readonly content: string;
    readonly allowed_mentions: { readonly parse: readonly string[] };
    readonly flags?: number;
  };
}

/**
 * `POST /discord/interactions`: Discord's interactions endpoint. Every request's Ed25519
 * signature is verified over `timestamp + raw body` (401 when missing, bad, stale or
 * replayed); a PING gets a PONG; a slash command runs through the ChatRouter and is answered
 * within Discord's 3 seconds — at once when the handler is quick, else "thinking…" (type 5)
 * and the answer later as an edit of that message through Discord's REST API. Answers are
 * neutralised, within 2000 characters, and never ping (`allowed_mentions: {parse: []}`).
 *
 * Mounted only when `integrations.discord_interactions` is configured.
 */
@Controller('discord')
export class DiscordInteractionsController implements OnModuleDestroy {
  private readonly logger = new Logger(DiscordInteractionsController.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(DiscordSignatureVerifier) private readonly verifier: DiscordSignatureVerifier,
    @Inject(DiscordInteractionsClient) private readonly client: DiscordInteractionsClient,
    private readonly router: ChatRouter,
    /** Shared replay memory (every replica); absent in narrow specs: the verifier's alone. */
    @Optional()
    @Inject(InteractionReplays)
    private readonly replays: InteractionReplays | null = null,
  ) {}

  async onModuleDestroy(): Promise<void> {
    if (this.pending.size === 0) return;
    await Promise.race([
      Promise.allSettled([...this.pending]),
      new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref()),
    ]);
  }

  @Post('interactions')
  @HttpCode(200)
  async interact(
    @Req() request: RawBodyRequest<Request>,
    @Headers('x-signature-ed25519') signature?: string,
    @Headers('x-signature-timestamp') timestamp?: string,
  ): Promise<InteractionResponse> {
    const raw = request.rawBody;
    if (raw === undefined) {
      if (!request.is('application/json'))
        throw new BadRequestException('body: must be JSON (Content-Type: application/json)');
      // The app was built without rawBody: true (runAgent sets it); nothing can be verified.
      throw new InternalServerErrorException('the raw request body is not available');
    }
    const verdict = this.verifier.check(signature, timestamp, raw);
    if (!verdict.ok) {
      this.logger.warn(`refused a Discord interaction: ${verdict.reason}`);
      throw new UnauthorizedException(verdict.reason);
    }
    const body: unknown = request.body;
    if (DiscordPing.safeParse(body).success) return { type: RESPONSE_PONG };
    const parsed = DiscordInteraction.safeParse(body);
    if (!parsed.success) throw new BadRequestException(describeIssues(parsed.error));
    const interaction = parsed.data;
    if (interaction.type !== INTERACTION_APPLICATION_COMMAND)
      throw new BadRequestException(
        `type: interaction type ${interaction.type} is not handled (only PING and slash commands)`,
      );
    if (interaction.data === undefined)
      throw new BadRequestException('data: required for a slash command');
    const options: Record<string, unknown> = {};
    for (const option of interaction.data.options ?? []) options[option.name] = option.value;
    const caller = callerOf(interaction);
    if (caller === null) throw new BadRequestException('member.user or user: who is asking');
    if (this.replays !== null && !(await this.replays.claim(interaction.id))) {
      this.logger.warn(
        `refused a Discord interaction: replayed (id ${interaction.id} was answered)`,
      );
      throw new UnauthorizedException('replayed request');
    }
    return this.answer(interaction.token, interaction.data.name, options, caller);
  }

  private async answer(
    token: string,
    name: string,
    options: Record<string, unknown>,
    caller: ChatCaller,
  ): Promise<InteractionResponse> {
    const running = this.router.run({ name, options }, caller);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), DEFER_AFTER_MS);
    });
    const first = await Promise.race([running, late]);
    clearTimeout(timer);
    if (first !== null) return { type: RESPONSE_MESSAGE, data: messageOf(first.reply, true) };
    // Deferred publicly: Discord fixes a message's visibility when it is deferred, and most
    // answers (status, incidents) are for the channel. An ephemeral answer after a deferral
    // is shown like the rest.
    const edit = running
      .then((routed) => this.client.editOriginal(token, messageOf(routed.reply, false)))
      .catch((error: unknown) => {
        this.logger.warn(`deferred answer to /${name} not delivered: ${errorMessage(error)}`);
      })
      .finally(() => this.pending.delete(edit));
    this.pending.add(edit);
    return { type: RESPONSE_DEFERRED_MESSAGE };
  }
}

function messageOf(
  reply: ChatReply,
  mayBeEphemeral: boolean,
): { content: string; allowed_mentions: { parse: string[] }; flags?: number } {
  return {
    content: formatReplyText(reply.text, 'discord'),
    allowed_mentions: { parse: [] },
    ...(mayBeEphemeral && reply.ephemeral === true ? { flags: FLAG_EPHEMERAL } : {}),
  };
}

/** The Discord user who ran the command: `member.user` in a server, `user` in a DM. */
function callerOf(interaction: DiscordInteraction): ChatCaller | null {
  const user = interaction.member?.user ?? interaction.user;
  if (user === undefined) return null;
  // The username (a unique handle), not the display name: it is who acks, in the audit too.
  return { via: 'discord', id: user.id, name: user.username };
}
