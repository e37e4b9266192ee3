import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  describeWatchedServices,
  LOADED_CONFIG,
  type LoadedConfig,
  resolveServiceName,
} from '@opscrew/config';
import { errorMessage, NOTE_MAX_LENGTH, SUBJECTS } from '@opscrew/contracts';
import { EventPublisher } from '@opscrew/messaging';
import { requesterOf, stringOption } from './action-options';
import { ChatCommandError } from './chat-command.error';
import {
  type ChatCaller,
  type ChatCommandHandler,
  type ChatOptions,
  type ChatReply,
} from './chat-command';
import { CommandResults } from './command-results.service';

/**
 * How long `/restart` waits for jira-resolver's answer before replying "still running". A
 * restart through the guardrails takes seconds (the runtime's stop grace is 10 s); 45 s stays
 * under `opscrew chat`'s 60 s wait, so the CLI always prints atlas's own answer, never a
 * client timeout (Discord's answer is deferred either way).
 */
export const RESTART_REPLY_TIMEOUT_MS = 45_000;
/** Overrides RESTART_REPLY_TIMEOUT_MS (tests). */
export const RESTART_REPLY_TIMEOUT = Symbol('RESTART_REPLY_TIMEOUT');

/**
 * `/restart <service> [reason]`: asks jira-resolver (command.restart) to restart a watched
 * service through the same guardrails as a runbook's restart — runtime policy, protected
 * services, the service's lease, cooldown and restarts per hour — audited with the caller's
 * identity; replies with its answer (command.result), or after 45 s that it is still running.
 * atlas never touches the runtime itself: jira-resolver is the only agent with a runtime grant.
 *
 * The service is resolved here first (names and aliases of `services.watched`, or a protected
 * name), so a typo gets the list of services at once; whether it may be restarted is
 * jira-resolver's decision alone.
 */
@Injectable()
export class RestartCommand implements ChatCommandHandler {
  readonly name = 'restart' as const;

  constructor(
    @Inject(LOADED_CONFIG) private readonly loaded: Pick<LoadedConfig, 'config'>,
    @Inject(EventPublisher) private readonly publisher: Pick<EventPublisher, 'publish'>,
    private readonly results: CommandResults,
    @Optional()
    @Inject(RESTART_REPLY_TIMEOUT)
    private readonly timeoutMs: number = RESTART_REPLY_TIMEOUT_MS,
  ) {}

  async execute(options: ChatOptions, caller: ChatCaller): Promise<ChatReply> {
    const asked = stringOption(options, 'restart', 'service', true);
    const reason = stringOption(options, 'restart', 'reason', false);
    const services = this.loaded.config.services;
    // A protected service goes on too: jira-resolver's runtime policy refuses it, audited, with
    // the reason (one decision point for what may be restarted).
    const service =
      resolveServiceName(services, asked) ??
      (services.protected.includes(asked) ? asked : undefined);
    if (service === undefined)
      throw new ChatCommandError(
        `/restart: unknown service ${JSON.stringify(asked.slice(0, 64))} (watched: ${describeWatchedServices(services)})`,
      );

    const requestId = randomUUID();
    const answer = this.results.wait(requestId, this.timeoutMs);
    try {
      await this.publisher.publish(
        SUBJECTS.commandRestart,
        {
          request_id: requestId,
          service,
          requested_by: requesterOf(caller),
          ...(reason !== undefined ? { reason: reason.slice(0, NOTE_MAX_LENGTH) } : {}),
        },
        { id: `command.restart.${requestId}` },
      );
    } catch (error) {
      this.results.cancel(requestId);
      await answer;
      // A failure (the router answers "/restart failed: …" and audits it as failed).
      throw new Error(`could not reach the crew (${errorMessage(error)}); nothing was restarted`);
    }
    const result = await answer;
    if (result === null)
      return {
        text: `/restart ${service}: asked (request ${requestId}); still running after ${Math.round(this.timeoutMs / 1000)} s — see the audit trail (jira-resolver, command.restart) or /status`,
      };
    // jira-resolver's refusal (protected, cooldown, lease held…) is a refusal here too.
    if (!result.ok) throw new ChatCommandError(`/restart ${service}: ${result.text}`);
    return { text: `/restart ${service}: ${result.text}` };
  }
}
