import { type Notification, truncate } from '@opscrew/ports';
import { neutralise, neutraliseLine, safeHref } from '../text/neutralise';
import {
  DISCORD_LIMITS,
  type DiscordEmbed,
  type DiscordEmbedField,
  fitEmbed,
} from './discord-embed.limits';
import { severityColor } from './severity-color';

export interface DiscordMessageOptions {
  /** Webhook display name (1-80 characters). */
  readonly username: string;
  /** Role name (as in the escalation config, without `@`) → Discord role id. Only these can be pinged. */
  readonly role_ids: Readonly<Record<string, string>>;
  readonly colors_by_severity: Readonly<Record<string, string>>;
}

export const DEFAULT_DISCORD_MESSAGE_OPTIONS: DiscordMessageOptions = {
  username: 'opscrew',
  role_ids: {},
  colors_by_severity: {},
};

/** The webhook execute body (Discord API v10), exactly as sent. */
export interface DiscordWebhookBody {
  username: string;
  content?: string;
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: never[]; roles: string[] };
}

export interface BuiltDiscordMessage {
  readonly body: DiscordWebhookBody;
  /** Requested roles that are not configured (or whose id is not a snowflake): not pinged. */
  readonly dropped_roles: readonly string[];
}

/** Discord ids are snowflakes: unsigned 64-bit integers in decimal. */
const SNOWFLAKE = /^\d{1,20}$/;

/**
 * Builds the webhook body for a notification. Shared by the Discord notifier
 * and the console notifier (whose JSONL file holds exactly this body), so what
 * the embedded default records is what production would send.
 *
 * Every data-derived string is neutralised for Discord; the only link is the
 * notification's trusted `url` (embed url, http(s) only). Pings: only the
 * configured roles asked for, listed in `allowed_mentions.roles` with
 * `parse: []` so nothing else (no @everyone, no user) can ping.
 */
export function buildDiscordMessage(
  notification: Notification,
  options: DiscordMessageOptions,
  at: Date,
): BuiltDiscordMessage {
  const roles: string[] = [];
  const dropped: string[] = [];
  for (const requested of notification.mention_roles ?? []) {
    const name = requested.replace(/^@/, '');
    const id = options.role_ids[name];
    if (id !== undefined && SNOWFLAKE.test(id)) {
      if (!roles.includes(id)) roles.push(id);
    } else {
      dropped.push(name);
    }
  }
  const fields: DiscordEmbedField[] = notification.fields.map((field) => ({
    name: neutraliseLine(field.name, 'discord'),
    value: neutralise(field.value, 'discord').trim(),
    ...(field.inline === undefined ? {} : { inline: field.inline }),
  }));
  const footerParts = ['opscrew', notification.kind];
  if (notification.incident_id !== undefined) footerParts.push(notification.incident_id);
  footerParts.push(`ref ${notification.idempotency_key}`);
  const description = neutralise(notification.text, 'discord').trim();
  const url = safeHref(notification.url);
  const embed = fitEmbed({
    title: neutraliseLine(notification.title, 'discord'),
    ...(description === '' ? {} : { description }),
    ...(url === null ? {} : { url }),
    color: severityColor(notification.severity, options.colors_by_severity),
    fields,
    timestamp: at.toISOString(),
    footer: { text: neutraliseLine(footerParts.join(' · '), 'discord') },
  });
  const body: DiscordWebhookBody = {
    username: truncate(options.username, DISCORD_LIMITS.username) || 'opscrew',
    embeds: [embed],
    allowed_mentions: { parse: [], roles },
  };
  if (roles.length > 0) {
    body.content = truncate(roles.map((id) => `<@&${id}>`).join(' '), DISCORD_LIMITS.content);
  }
  return { body, dropped_roles: dropped };
}
