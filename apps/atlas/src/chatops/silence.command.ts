import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  describeWatchedServices,
  LOADED_CONFIG,
  type LoadedConfig,
  resolveServiceName,
} from '@opscrew/config';
import { errorMessage, NOTE_MAX_LENGTH } from '@opscrew/contracts';
import { SilenceRefusedError, SilenceStore } from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { requesterOf, stringOption } from './action-options';
import { ChatCommandError } from './chat-command.error';
import {
  type ChatCaller,
  type ChatCommandHandler,
  type ChatOptions,
  type ChatReply,
} from './chat-command';
import { DurationError, formatDuration, parseSilenceDuration } from './silence-duration';

/** Overrides the wall clock (tests). */
export const SILENCE_CLOCK = Symbol('SILENCE_CLOCK');

/** `/silence <service> off` (or `0`) ends the service's window early. */
const END_WORDS: ReadonlySet<string> = new Set(['off', '0']);

/**
 * `/silence <service> <duration> [reason]`: a maintenance window. Until it ends, ops-monitor
 * opens no ticket for the service (its anomalies are still recorded, as informational
 * incidents) and jira-resolver never restarts it on its own (a run's restart waits for the end;
 * a human's /restart is still allowed: it is the maintenance). When the window ends the service
 * is evaluated again by the next detection cycle. `/silence <service> off` ends it early; a new
 * `/silence` replaces the window (longer or shorter). Audited with the caller's identity.
 */
@Injectable()
export class SilenceCommand implements ChatCommandHandler {
  readonly name = 'silence' as const;
  private readonly logger = new Logger('SilenceCommand');

  constructor(
    @Inject(LOADED_CONFIG) private readonly loaded: Pick<LoadedConfig, 'config'>,
    @Inject(SilenceStore)
    private readonly silences: Pick<SilenceStore, 'silence' | 'end' | 'cleanup'>,
    @Inject(AUDIT) private readonly audit: AuditSink,
    @Optional() @Inject(SILENCE_CLOCK) private readonly now: () => Date = () => new Date(),
  ) {}

  async execute(options: ChatOptions, caller: ChatCaller): Promise<ChatReply> {
    const asked = stringOption(options, 'silence', 'service', true);
    const duration = stringOption(options, 'silence', 'duration', true);
    const reason = stringOption(options, 'silence', 'reason', false);
    const services = this.loaded.config.services;
    const service = resolveServiceName(services, asked);
    if (service === undefined)
      throw new ChatCommandError(
        `/silence: unknown service ${JSON.stringify(asked.slice(0, 64))} (watched: ${describeWatchedServices(services)})`,
      );
    const now = this.now();
    await this.sweep(now);
    if (END_WORDS.has(duration.toLowerCase())) return this.endEarly(service, caller, now);

    let ms: number;
    try {
      ms = parseSilenceDuration(duration);
    } catch (error) {
      if (error instanceof DurationError)
        throw new ChatCommandError(`/silence ${service}: ${error.message}, or off to end a window`);
      throw error;
    }
    const by = requesterOf(caller);
    try {
      const window = await this.silences.silence(
        service,
        new Date(now.getTime() + ms),
        reason?.slice(0, NOTE_MAX_LENGTH),
        by,
        now,
      );
      const text =
        `silenced ${service} until ${window.until} (${formatDuration(ms)}) by ${by.name}` +
        (window.reason ? ` for "${window.reason}"` : '') +
        `: no tickets and no automatic restarts for ${service} until then; anomalies are still recorded. ` +
        `End it early with /silence ${service} off.`;
      await this.record(caller, 'allowed', text, { service, until: window.until, reason });
      return { text };
    } catch (error) {
      if (!(error instanceof SilenceRefusedError)) throw error;
      await this.record(caller, 'refused', error.message, { service, duration, reason });
      throw new ChatCommandError(`/silence: ${error.message}`);
    }
  }

  private async endEarly(service: string, caller: ChatCaller, now: Date): Promise<ChatReply> {
    const ended = await this.silences.end(service, now);
    const text =
      ended === null
        ? `${service} was not silenced; nothing to end`
        : `ended the silence on ${service} (it ran until ${ended.until}, set by ${ended.by.name}): the next detection cycle evaluates ${service} again`;
    await this.record(caller, 'allowed', text, { service, end: true });
    return { text, ...(ended === null ? { ephemeral: true } : {}) };
  }

  /** Windows that ended are deleted as a chore of each /silence (readers ignore them anyway). */
  private async sweep(now: Date): Promise<void> {
    try {
      await this.silences.cleanup(now);
    } catch (error) {
      this.logger.warn(`ended silences not cleaned up: ${errorMessage(error)}`);
    }
  }

  private record(
    caller: ChatCaller,
    verdict: 'allowed' | 'refused',
    result: string,
    input: Record<string, unknown>,
  ): Promise<void> {
    const by = requesterOf(caller);
    return this.audit.record({
      agent: 'atlas',
      action: 'chatops.silence',
      verdict,
      // The caller is named in the line: the input is kept only as a digest.
      result: `${result} [by ${by.name} (${by.via} ${by.id})]`.slice(0, 1900),
      input: { ...input, by },
    });
  }
}
