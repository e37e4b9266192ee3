import { BadRequestException, Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTokenGuard } from '@opscrew/agent-core';
import { formatReplyText } from './chat-reply.format';
import { ChatRequestDto } from './chat-request.dto';
import { parseChatText } from './chat-text.parser';
import { type ChatOutcome, ChatRouter } from './chat.router';

/** Longest `POST /chat` answer: a terminal has no 2000-character limit, but a log line does. */
const CLI_REPLY_MAX = 8000;

/** `POST /chat` answer: the reply text and how the command ended. */
export interface ChatResponse {
  readonly outcome: ChatOutcome;
  readonly text: string;
}

/**
 * `POST /chat {command: "/status cart"}`: the Discord commands for teams without Discord
 * (`opscrew chat "<command>"`). The text is parsed against the same definitions and runs
 * through the same router, audit included, as the CLI user (`by`, default "cli").
 * Token-guarded like every mutating endpoint: /ack stops pages, /restart restarts.
 * A text that does not parse is a 400 naming the bad part.
 */
@Controller('chat')
@UseGuards(ApiTokenGuard)
export class ChatController {
  constructor(private readonly router: ChatRouter) {}

  @Post()
  @HttpCode(200)
  async chat(@Body() body: ChatRequestDto): Promise<ChatResponse> {
    const parsed = parseChatText(body.command);
    if (!parsed.ok) throw new BadRequestException(parsed.problem);
    const by = body.by ?? 'cli';
    const routed = await this.router.run(parsed.command, { via: 'cli', id: by, name: by });
    return {
      outcome: routed.outcome,
      text: formatReplyText(routed.reply.text, 'plain', CLI_REPLY_MAX),
    };
  }
}
