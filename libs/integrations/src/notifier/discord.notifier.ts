import { Logger } from '@nestjs/common';
import { type DiscordConfig } from '@opscrew/config';
import { type Clock, systemClock } from '@opscrew/messaging';
import { DeliveryError, type Notification, type NotifierPort } from '@opscrew/ports';
import { deliveryErrorForStatus } from '../outbound/delivery-status';
import {
  type FetchLike,
  type OutboundResponse,
  redactorFor,
  sendOutbound,
} from '../outbound/outbound-http.client';
import { parseRetryAfterMs } from '../outbound/retry-after';
import { buildDiscordMessages, type DiscordWebhookBody } from './discord-message.builder';

export interface DiscordNotifierOptions {
  readonly config: DiscordConfig;
  readonly fetch?: FetchLike;
  readonly clock?: Clock;
}

/** Discord's error body text is short; 300 characters keep a log line readable. */
const DETAIL_MAX_LENGTH = 300;

/**
 * Posts notifications to a Discord webhook (`?wait=true`: Discord answers 200
 * with the message once it is stored, so success means delivered).
 *
 * Rate limits: a 429 (body `retry_after` in fractional seconds, or the
 * Retry-After header) becomes a retryable DeliveryError with retryAfterMs;
 * `X-RateLimit-Remaining: 0` + `X-RateLimit-Reset-After` on a success makes
 * the next send wait without a request (Discord asks clients to honour the
 * bucket headers before hitting a 429).
 *
 * The webhook URL embeds its token: it never appears in a log line or error.
 */
export class DiscordNotifier implements NotifierPort {
  readonly kind = 'discord';
  private readonly logger = new Logger(DiscordNotifier.name);
  private readonly redact: (text: string) => string;
  private readonly clock: Clock;
  private blockedUntil = 0;
  /**
   * Parts already delivered of a notification split into several messages, by idempotency key:
   * a retry after a failure mid-way sends only the rest. Only partly sent ones are kept.
   */
  private readonly partsSent = new Map<string, number>();

  constructor(private readonly options: DiscordNotifierOptions) {
    this.clock = options.clock ?? systemClock;
    const url = options.config.webhook_url;
    const token = url.split('?')[0]?.split('/').filter(Boolean).pop() ?? '';
    this.redact = redactorFor([url, token]);
  }

  async send(notification: Notification): Promise<void> {
    const now = this.clock.now();
    if (now < this.blockedUntil) {
      throw new DeliveryError(
        'discord webhook: rate-limit bucket exhausted (X-RateLimit-Remaining: 0)',
        true,
        this.blockedUntil - now,
        // No request was made: a definite "not delivered".
        429,
      );
    }
    const { config } = this.options;
    const built = buildDiscordMessages(notification, config, new Date(now));
    if (built.dropped_roles.length > 0) {
      this.logger.warn(
        `mention of unconfigured role(s) dropped: ${built.dropped_roles.join(', ')} ` +
          `(configured: ${Object.keys(config.role_ids).join(', ') || 'none'})`,
      );
    }
    const key = notification.idempotency_key;
    for (let part = this.partsSent.get(key) ?? 0; part < built.bodies.length; part += 1) {
      const body = built.bodies[part];
      if (body === undefined) break;
      // After the first part, Discord's bucket may have been emptied by this very notification.
      if (part > 0 && this.clock.now() < this.blockedUntil) {
        throw new DeliveryError(
          `discord webhook: part ${part + 1}/${built.bodies.length} waits for the rate-limit bucket`,
          true,
          this.blockedUntil - this.clock.now(),
          429,
        );
      }
      await this.post(body);
      if (part + 1 < built.bodies.length) this.partsSent.set(key, part + 1);
    }
    this.partsSent.delete(key);
  }

  private async post(body: DiscordWebhookBody): Promise<void> {
    const { config } = this.options;
    const url = new URL(config.webhook_url);
    url.searchParams.set('wait', 'true');
    const response = await sendOutbound(
      { method: 'POST', url: url.toString(), body, timeoutMs: config.timeout_ms },
      {
        what: 'discord POST webhook',
        redact: this.redact,
        ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
      },
    );
    this.noteBucket(response);
    if (response.status === 200 || response.status === 204) return;
    throw this.failure(response);
  }

  private noteBucket(response: OutboundResponse): void {
    const remaining = response.headers.get('x-ratelimit-remaining');
    const resetAfter = parseRetryAfterMs(response.headers.get('x-ratelimit-reset-after'));
    if (remaining === '0' && resetAfter !== undefined) {
      this.blockedUntil = this.clock.now() + resetAfter;
    }
  }

  private failure(response: OutboundResponse): DeliveryError {
    const body = response.json as
      { code?: unknown; message?: unknown; retry_after?: unknown; global?: unknown } | undefined;
    let retryAfter: number | undefined;
    if (response.status === 429) {
      retryAfter =
        parseRetryAfterMs(typeof body?.retry_after === 'number' ? body.retry_after : undefined) ??
        parseRetryAfterMs(response.headers.get('retry-after'));
      if (body?.global === true || response.headers.get('x-ratelimit-global') === 'true') {
        this.logger.warn('discord global rate limit hit');
      }
    } else {
      retryAfter = parseRetryAfterMs(response.headers.get('retry-after'));
    }
    if (retryAfter !== undefined) {
      this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + retryAfter);
    }
    const parts: string[] = [];
    if (typeof body?.code === 'number') parts.push(`code ${body.code}`);
    if (typeof body?.message === 'string') parts.push(body.message);
    if (body !== undefined && typeof body === 'object' && 'errors' in body) {
      parts.push(JSON.stringify((body as { errors: unknown }).errors));
    }
    const detail = this.redact(parts.join(': ') || response.text.trim()).slice(
      0,
      DETAIL_MAX_LENGTH,
    );
    return deliveryErrorForStatus('discord POST webhook', response.status, detail, retryAfter);
  }
}
