import { errorMessage } from '@opscrew/contracts';
import { DeliveryError } from '@opscrew/ports';
import {
  type FetchLike,
  type OutboundResponse,
  redactorFor,
  sendOutbound,
} from '../outbound/outbound-http.client';
import { parseRetryAfterMs } from '../outbound/retry-after';

export interface DiscordInteractionsClientOptions {
  /** Discord's REST root, e.g. https://discord.com/api/v10 (tests: the contract server's). */
  readonly apiBaseUrl: string;
  readonly applicationId: string;
  /** Only registration needs it. */
  readonly botToken?: string;
  readonly timeoutMs: number;
  readonly fetch?: FetchLike;
  /** Waits between attempts (tests replace it). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What an edited interaction answer carries. */
export interface InteractionMessageEdit {
  readonly content: string;
  /** Always `{ parse: [] }` from us: a chat answer never pings anyone. */
  readonly allowed_mentions: { readonly parse: readonly string[] };
}

/**
 * Attempts per call. A deferred answer has 15 minutes (the interaction token's life), and a
 * registration is run by hand: a 429 or a network error is worth two more tries, each after
 * Discord's `retry_after` (at most RETRY_WAIT_MAX_MS), no more.
 */
const ATTEMPTS = 3;
const RETRY_WAIT_MAX_MS = 10_000;
const DETAIL_MAX_LENGTH = 300;

/**
 * Discord's REST API for the interactions side: the deferred answer's edit
 * (`PATCH /webhooks/{application.id}/{interaction.token}/messages/@original`) and the bulk
 * registration of the application's commands (`PUT /applications/{id}/commands`, or a guild's).
 * Interaction and bot tokens never appear in an error or a log line.
 */
export class DiscordInteractionsClient {
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DiscordInteractionsClientOptions) {
    this.base = options.apiBaseUrl.replace(/\/+$/, '');
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Replaces the deferred "thinking…" answer of an interaction with the real one. */
  async editOriginal(interactionToken: string, edit: InteractionMessageEdit): Promise<void> {
    const path = `/webhooks/${this.options.applicationId}/${encodeURIComponent(interactionToken)}/messages/@original`;
    await this.call(
      'PATCH',
      path,
      edit,
      {},
      'discord PATCH /webhooks/{application}/{interaction token}/messages/@original',
      [interactionToken],
    );
  }

  /**
   * Overwrites the application's commands with `commands` (Discord's bulk overwrite: commands
   * not in the list are deleted). Global unless `guildId`. Returns the names Discord registered.
   */
  async registerCommands(commands: readonly unknown[], guildId?: string): Promise<string[]> {
    const token = this.options.botToken;
    if (token === undefined || token === '')
      throw new Error(
        'integrations.discord_interactions.bot_token is not set (DISCORD_BOT_TOKEN): registration needs the bot token',
      );
    const path =
      guildId === undefined
        ? `/applications/${this.options.applicationId}/commands`
        : `/applications/${this.options.applicationId}/guilds/${guildId}/commands`;
    const response = await this.call(
      'PUT',
      path,
      commands,
      { authorization: `Bot ${token}` },
      `discord PUT ${guildId === undefined ? '/applications/{id}/commands' : '/applications/{id}/guilds/{guild}/commands'}`,
      [token],
    );
    const registered = Array.isArray(response.json) ? (response.json as unknown[]) : [];
    return registered.flatMap((command) =>
      typeof command === 'object' &&
      command !== null &&
      typeof (command as { name?: unknown }).name === 'string'
        ? [(command as { name: string }).name]
        : [],
    );
  }

  private async call(
    method: 'PATCH' | 'PUT',
    path: string,
    body: unknown,
    headers: Record<string, string>,
    what: string,
    secrets: readonly string[],
  ): Promise<OutboundResponse> {
    const redact = redactorFor([...secrets, encodeURIComponent(secrets[0] ?? '')]);
    let lastError: Error | null = null;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      let response: OutboundResponse;
      try {
        response = await sendOutbound(
          {
            method,
            url: `${this.base}${path}`,
            headers,
            body,
            timeoutMs: this.options.timeoutMs,
          },
          { what, redact, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) },
        );
      } catch (error: unknown) {
        // Network errors and timeouts: sendOutbound's DeliveryError is already redacted.
        lastError = error instanceof Error ? error : new Error(errorMessage(error));
        if (attempt < ATTEMPTS) await this.sleep(1000 * attempt);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response;
      const detail = redact(response.text).slice(0, DETAIL_MAX_LENGTH);
      if (response.status === 429 && attempt < ATTEMPTS) {
        const retryAfter =
          parseRetryAfterMs(retryAfterOf(response.json)) ??
          parseRetryAfterMs(response.headers.get('retry-after')) ??
          1000;
        lastError = new DeliveryError(`${what}: 429 rate limited`, true, retryAfter, 429);
        await this.sleep(Math.min(RETRY_WAIT_MAX_MS, retryAfter));
        continue;
      }
      throw new DeliveryError(
        `${what}: HTTP ${response.status} ${detail}`,
        response.status === 429 || response.status >= 500,
        undefined,
        response.status,
      );
    }
    throw lastError ?? new Error(`${what}: no attempt made`);
  }
}

function retryAfterOf(json: unknown): number | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const value = (json as { retry_after?: unknown }).retry_after;
  return typeof value === 'number' ? value : undefined;
}
