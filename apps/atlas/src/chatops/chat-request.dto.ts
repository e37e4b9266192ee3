import { ACKER_PATTERN } from '@opscrew/guardrails';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { CHAT_TEXT_MAX_LENGTH } from './chat-text.parser';

/** `POST /chat` body (unknown fields are refused by the global pipe). */
export class ChatRequestDto {
  /** The slash-command text, as typed in Discord: `/status cart`, `/ack INC-…`. */
  @IsString({ message: 'command: must be the command text, e.g. "/status cart"' })
  @MinLength(1, { message: 'command: must not be empty' })
  @MaxLength(CHAT_TEXT_MAX_LENGTH, {
    message: `command: at most ${CHAT_TEXT_MAX_LENGTH} characters`,
  })
  command!: string;

  /** Who asks (the CLI sends the OS user name); it is who acks and who the audit names. */
  @IsOptional()
  @IsString({ message: 'by: must be a short name' })
  @Matches(ACKER_PATTERN, {
    message: 'by: must be a short name (letters, digits, ".", "_", "-"; at most 64)',
  })
  by?: string;
}
