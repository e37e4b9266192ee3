import { randomBytes } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { DISCORD_LIMITS } from '../notifier/discord-embed.limits';
import { type ContractResponse, ContractHttpServer } from './contract-http.server';
import { OpenApiValidator, type SpecRequest } from './openapi.validator';
import { DISCORD_SPEC_PATH } from './spec-paths';

export interface DiscordContractOptions {
  readonly specPath?: string;
  /**
   * Enforce Discord's per-webhook bucket (5 requests / 2 s) with real 429s.
   * Off by default so tests that are not about it stay deterministic.
   */
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
}

export interface StoredDiscordMessage {
  readonly id: string;
  readonly at: number;
  readonly body: DiscordExecuteBody;
}

export interface DiscordExecuteBody {
  content?: string | null;
  username?: string | null;
  embeds?: DiscordEmbedBody[] | null;
  allowed_mentions?: { parse?: string[] | null; roles?: string[] | null } | null;
}

interface DiscordEmbedBody {
  title?: string | null;
  description?: string | null;
  fields?: { name?: string; value?: string; inline?: boolean }[] | null;
  footer?: { text?: string } | null;
  author?: { name?: string } | null;
}

/** A command as registered through `PUT /applications/{id}/commands` (global or a guild's). */
export interface StoredDiscordCommand {
  readonly id: string;
  readonly guildId: string | null;
  readonly body: Record<string, unknown>;
}

/** A deferred interaction answer, as edited through `PATCH …/messages/@original`. */
export interface StoredInteractionEdit {
  readonly token: string;
  readonly at: number;
  readonly body: DiscordExecuteBody;
}

/** Discord's default webhook bucket: 5 requests per 2 seconds. */
const DEFAULT_BUCKET = { limit: 5, windowMs: 2000 };

/**
 * A Discord API v10 webhook stand-in: `POST /api/v10/webhooks/{id}/{token}`
 * validated against Discord's OpenAPI document, plus what the spec cannot
 * express (6000 characters across embeds, non-empty message and field
 * texts), 200 with the message for `?wait=true` and 204 otherwise, errors as
 * `{code, message, errors?}`, rate-limit headers on every answer and, when
 * enabled, real 429s with `retry_after` (fractional seconds).
 *
 * The interactions side too: `PUT /applications/{id}/commands` (and a guild's) with
 * `Authorization: Bot <botToken>`, a bulk overwrite kept in `commands`; and
 * `PATCH /webhooks/{applicationId}/{interaction token}/messages/@original` for tokens handed
 * out by `openInteraction()`, kept in `interactionEdits`. Both validated against the spec.
 */
export class DiscordContractServer extends ContractHttpServer {
  readonly messages: StoredDiscordMessage[] = [];
  readonly webhookId = `1${randomBytes(8).readBigUInt64BE().toString().padStart(18, '0').slice(0, 18)}`;
  readonly webhookToken = randomBytes(24).toString('base64url');
  /** The application whose commands and interactions this server stands for. */
  readonly applicationId = snowflake();
  /** Its bot token (`Authorization: Bot <token>` on the application routes). */
  readonly botToken = randomBytes(30).toString('base64url');
  /** Commands by scope: `global` or a guild id; a bulk overwrite replaces one scope. */
  readonly commands = new Map<string, StoredDiscordCommand[]>();
  /** Edits of deferred interaction answers, in arrival order. */
  readonly interactionEdits: StoredInteractionEdit[] = [];
  /** Interaction tokens Discord handed out (`openInteraction`): only those may be edited. */
  private readonly interactionTokens = new Set<string>();
  private readonly sentAt: number[] = [];
  private messageCounter = 0;

  constructor(private readonly options: DiscordContractOptions = {}) {
    super();
  }

  override reset(): void {
    super.reset();
    this.messages.length = 0;
    this.sentAt.length = 0;
    this.commands.clear();
    this.interactionEdits.length = 0;
    this.interactionTokens.clear();
  }

  /** A fresh interaction token, as Discord puts in an interaction it sends (valid until reset). */
  openInteraction(): string {
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    this.interactionTokens.add(token);
    return token;
  }

  /** The Discord API root to configure (`api_base_url`). */
  get apiBaseUrl(): string {
    return `${this.origin}/api/v10`;
  }

  /** The webhook URL to configure (contains the token, like a real one). */
  get webhookUrl(): string {
    return `${this.origin}/api/v10/webhooks/${this.webhookId}/${this.webhookToken}`;
  }

  protected loadValidator(): Promise<OpenApiValidator> {
    return OpenApiValidator.load(this.options.specPath ?? DISCORD_SPEC_PATH, {
      apiRoot: '/api/v10',
      formats: { snowflake: /^(0|[1-9][0-9]*)$/ },
    });
  }

  protected authenticate(req: IncomingMessage, path: string): ContractResponse | null {
    if (/^\/api\/v10\/applications\//.test(path)) {
      // Bot-token routes: Discord answers 401 without `Authorization: Bot <token>`.
      if (req.headers.authorization !== `Bot ${this.botToken}`)
        return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
      const app = /^\/api\/v10\/applications\/([^/]+)/.exec(path);
      if (app?.[1] !== this.applicationId)
        return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      return null;
    }
    const m = /^\/api\/v10\/webhooks\/([^/]+)\/([^/]+)/.exec(path);
    if (m === null) return null; // Not a webhook route: the spec check answers.
    if (m[1] === this.applicationId) {
      // An interaction's webhook: the application id with the interaction's token.
      return this.interactionTokens.has(decodeURIComponent(m[2] ?? ''))
        ? null
        : { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
    }
    if (m[1] !== this.webhookId)
      return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    if (m[2] !== this.webhookToken)
      return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
    return null;
  }

  protected specError(status: 400 | 404, reason: string): ContractResponse {
    return status === 404
      ? { status, body: { message: '404: Not Found', code: 0 } }
      : {
          status,
          body: {
            message: 'Invalid Form Body',
            code: 50035,
            errors: { _errors: [{ code: 'SPEC', message: reason }] },
          },
        };
  }

  protected malformedBody(): ContractResponse {
    return {
      status: 400,
      body: { message: 'The request body contains invalid JSON.', code: 50109 },
    };
  }

  protected override warmupRequests(): SpecRequest[] {
    return [
      {
        method: 'POST',
        path: `/api/v10/webhooks/${this.webhookId}/${this.webhookToken}`,
        query: { wait: 'true' },
        headers: { 'content-type': 'application/json' },
        body: { content: 'warm-up' },
      },
      {
        method: 'PUT',
        path: `/api/v10/applications/${this.applicationId}/commands`,
        query: {},
        headers: { 'content-type': 'application/json' },
        body: [{ name: 'warm-up', description: 'warm-up', type: 1 }],
      },
      {
        method: 'PATCH',
        path: `/api/v10/webhooks/${this.applicationId}/warm-up/messages/@original`,
        query: {},
        headers: { 'content-type': 'application/json' },
        body: { content: 'warm-up', allowed_mentions: { parse: [] } },
      },
    ];
  }

  protected override commonHeaders(): Record<string, string> {
    const bucket = this.options.rateLimit ?? DEFAULT_BUCKET;
    const now = Date.now();
    const recent = this.sentAt.filter((t) => now - t < bucket.windowMs);
    const oldest = recent[0] ?? now;
    const resetAfter = Math.max(0, (oldest + bucket.windowMs - now) / 1000);
    return {
      'x-ratelimit-limit': String(bucket.limit),
      'x-ratelimit-remaining': String(Math.max(0, bucket.limit - recent.length)),
      'x-ratelimit-reset': ((now + resetAfter * 1000) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': 'contract-webhook-bucket',
    };
  }

  protected handle(
    operationId: string,
    params: Record<string, string>,
    request: SpecRequest,
  ): ContractResponse {
    if (
      operationId === 'bulk_set_application_commands' ||
      operationId === 'bulk_set_guild_application_commands'
    )
      return this.bulkSetCommands(params['guild_id'] ?? null, request.body);
    if (operationId === 'update_original_webhook_message')
      return this.editOriginal(decodeURIComponent(params['webhook_token'] ?? ''), request.body);
    if (operationId !== 'execute_webhook') {
      return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
    }
    const now = Date.now();
    const limit = this.options.rateLimit;
    if (limit !== undefined) {
      const recent = this.sentAt.filter((t) => now - t < limit.windowMs);
      if (recent.length >= limit.limit) {
        const retryAfter = ((recent[0] ?? now) + limit.windowMs - now) / 1000;
        return {
          status: 429,
          headers: {
            'retry-after': String(Math.ceil(retryAfter)),
            'x-ratelimit-global': 'false',
            'x-ratelimit-scope': 'user',
          },
          body: {
            message: 'You are being rate limited.',
            retry_after: Number(retryAfter.toFixed(3)),
            global: false,
          },
        };
      }
    }
    const body = (request.body ?? {}) as DiscordExecuteBody;
    const problem = semanticProblem(body);
    if (problem !== null) return problem;
    this.sentAt.push(now);
    while (this.sentAt.length > 100) this.sentAt.shift();
    this.messageCounter += 1;
    const id = `${this.webhookId.slice(0, 10)}${String(this.messageCounter).padStart(9, '0')}`;
    this.messages.push({ id, at: now, body });
    if (request.query['wait'] !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        id,
        type: 0,
        channel_id: '111111111111111111',
        webhook_id: this.webhookId,
        content: body.content ?? '',
        embeds: body.embeds ?? [],
        author: { id: this.webhookId, username: body.username ?? 'webhook', bot: true },
        mentions: [],
        mention_roles: body.allowed_mentions?.roles ?? [],
        mention_everyone: false,
        timestamp: new Date(now).toISOString(),
        tts: false,
        pinned: false,
        attachments: [],
        flags: 0,
      },
    };
  }

  /** Discord's bulk overwrite: the scope's commands become exactly these (ids kept by name). */
  private bulkSetCommands(guildId: string | null, body: unknown): ContractResponse {
    const list = Array.isArray(body) ? (body as Record<string, unknown>[]) : [];
    const names = list.map((command) => String(command['name']));
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined)
      return {
        status: 400,
        body: {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            _errors: [
              {
                code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
                message: `Application command names must be unique (${duplicate})`,
              },
            ],
          },
        },
      };
    const scope = guildId ?? 'global';
    const before = new Map(
      (this.commands.get(scope) ?? []).map((c) => [String(c.body['name']), c.id]),
    );
    const stored = list.map((command) => ({
      id: before.get(String(command['name'])) ?? snowflake(),
      guildId,
      body: command,
    }));
    this.commands.set(scope, stored);
    return {
      status: 200,
      body: stored.map((command) => ({
        id: command.id,
        application_id: this.applicationId,
        version: snowflake(),
        default_member_permissions: null,
        type: command.body['type'] ?? 1,
        name: command.body['name'],
        description: command.body['description'] ?? '',
        ...(guildId !== null ? { guild_id: guildId } : {}),
        options: command.body['options'] ?? [],
        nsfw: false,
      })),
    };
  }

  /** `PATCH /webhooks/{application id}/{interaction token}/messages/@original`. */
  private editOriginal(token: string, body: unknown): ContractResponse {
    const edit = (body ?? {}) as DiscordExecuteBody;
    if ((edit.content ?? '') === '' && (edit.embeds ?? []).length === 0)
      return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    const now = Date.now();
    this.interactionEdits.push({ token, at: now, body: edit });
    return {
      status: 200,
      body: {
        id: snowflake(),
        type: 20,
        channel_id: '111111111111111111',
        webhook_id: this.applicationId,
        application_id: this.applicationId,
        content: edit.content ?? '',
        embeds: edit.embeds ?? [],
        author: { id: this.applicationId, username: 'opscrew', bot: true },
        mentions: [],
        mention_roles: [],
        mention_everyone: false,
        timestamp: new Date(now).toISOString(),
        edited_timestamp: new Date(now).toISOString(),
        tts: false,
        pinned: false,
        attachments: [],
        flags: 0,
      },
    };
  }
}

/** A random Discord-style id (18 digits, no leading zero). */
function snowflake(): string {
  return `1${randomBytes(8).readBigUInt64BE().toString().padStart(17, '0').slice(0, 17)}`;
}

/** What Discord refuses although the spec allows it. */
function semanticProblem(body: DiscordExecuteBody): ContractResponse | null {
  const embeds = body.embeds ?? [];
  if ((body.content ?? '') === '' && embeds.length === 0) {
    return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
  }
  const errors: Record<string, unknown> = {};
  let total = 0;
  embeds.forEach((embed, i) => {
    total +=
      (embed.title?.length ?? 0) +
      (embed.description?.length ?? 0) +
      (embed.footer?.text?.length ?? 0) +
      (embed.author?.name?.length ?? 0);
    (embed.fields ?? []).forEach((field, j) => {
      total += (field.name?.length ?? 0) + (field.value?.length ?? 0);
      if (!field.name || !field.value) {
        errors[`embeds.${i}.fields.${j}`] = {
          _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }],
        };
      }
    });
  });
  if (total > DISCORD_LIMITS.embedTotal) {
    errors['embeds'] = {
      _errors: [
        {
          code: 'BASE_TYPE_MAX_LENGTH',
          message: `Embed size exceeds maximum size of ${DISCORD_LIMITS.embedTotal}`,
        },
      ],
    };
  }
  if (
    body.username !== undefined &&
    body.username !== null &&
    /discord|clyde/i.test(body.username)
  ) {
    errors['username'] = {
      _errors: [
        { code: 'USERNAME_INVALID_CONTAINS', message: 'Username cannot contain "discord"' },
      ],
    };
  }
  if (Object.keys(errors).length === 0) return null;
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors } };
}
