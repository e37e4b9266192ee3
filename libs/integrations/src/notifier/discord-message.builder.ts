import { type Notification, truncate } from '@opscrew/ports';
import { neutralise, neutraliseLine, safeHref } from '../text/neutralise';
import {
  DISCORD_LIMITS,
  type DiscordEmbed,
  type DiscordEmbedField,
  embedLength,
  fitEmbed,
} from './discord-embed.limits';
import { splitEmbed } from './discord-message.splitter';
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

/**
 * Raw text read per notification field before neutralising: a label (title,
 * field name, footer) at 4x its limit (neutralising removes invisible
 * characters, so some slack), a text that may be split (description, field
 * value) at 8 messages of 6000. Past these the text is cut, marked with an
 * ellipsis: a megabyte of hostile text costs milliseconds, not seconds, and
 * never becomes a flood of a hundred messages.
 */
const RAW_LABEL_MAX = 4 * DISCORD_LIMITS.title;
const RAW_TEXT_MAX = 8 * DISCORD_LIMITS.embedTotal;

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
  const { embed, roles, dropped } = rawMessage(notification, options, at);
  return { body: bodyOf([fitEmbed(embed)], roles, options, true), dropped_roles: dropped };
}

/** Every webhook body one notification needs, in order (one unless it breaks a limit). */
export interface BuiltDiscordMessages {
  readonly bodies: readonly DiscordWebhookBody[];
  readonly dropped_roles: readonly string[];
}

/**
 * The webhook bodies for a notification, what the notifiers send: one body exactly as
 * buildDiscordMessage makes it when the notification keeps every Discord limit, else the embed
 * split (discord-message.splitter.ts) into several embeds and, past 10 embeds or 6000
 * characters, several messages — nothing cut but titles and field names. Pings go with the
 * first message only.
 */
export function buildDiscordMessages(
  notification: Notification,
  options: DiscordMessageOptions,
  at: Date,
): BuiltDiscordMessages {
  const { embed, roles, dropped } = rawMessage(notification, options, at);
  if (keepsLimits(embed)) {
    return { bodies: [bodyOf([embed], roles, options, true)], dropped_roles: dropped };
  }
  const { messages } = splitEmbed(embed);
  return {
    bodies: messages.map((embeds, index) => bodyOf(embeds, roles, options, index === 0)),
    dropped_roles: dropped,
  };
}

/** Whether one embed as built keeps every limit, so fitting it would change nothing. */
function keepsLimits(embed: DiscordEmbed): boolean {
  return (
    embed.title.length <= DISCORD_LIMITS.title &&
    (embed.description?.length ?? 0) <= DISCORD_LIMITS.description &&
    embed.footer.text.length <= DISCORD_LIMITS.footer &&
    embed.fields.length <= DISCORD_LIMITS.fields &&
    embed.fields.every(
      (f) =>
        f.name.length > 0 &&
        f.name.length <= DISCORD_LIMITS.fieldName &&
        f.value.length > 0 &&
        f.value.length <= DISCORD_LIMITS.fieldValue,
    ) &&
    embed.title.length > 0 &&
    embedLength(embed) <= DISCORD_LIMITS.embedTotal
  );
}

/** The one embed a notification makes before any limit is applied, and its pings. */
function rawMessage(
  notification: Notification,
  options: DiscordMessageOptions,
  at: Date,
): { embed: DiscordEmbed; roles: string[]; dropped: string[] } {
  const roles: string[] = [];
  const dropped: string[] = [];
  for (const requested of (notification.mention_roles ?? []).slice(0, 100)) {
    const name = requested.replace(/^@/, '');
    const id = options.role_ids[name];
    if (id !== undefined && SNOWFLAKE.test(id)) {
      if (!roles.includes(id)) roles.push(id);
    } else {
      dropped.push(name);
    }
  }
  const fields: DiscordEmbedField[] = notification.fields.map((field) => ({
    name: neutraliseLine(truncate(field.name, RAW_LABEL_MAX), 'discord'),
    value: neutralise(truncate(field.value, RAW_TEXT_MAX), 'discord').trim(),
    ...(field.inline === undefined ? {} : { inline: field.inline }),
  }));
  const footerParts = ['opscrew', notification.kind];
  if (notification.incident_id !== undefined) footerParts.push(notification.incident_id);
  footerParts.push(`ref ${notification.idempotency_key}`);
  const description = neutralise(truncate(notification.text, RAW_TEXT_MAX), 'discord').trim();
  const url = safeHref(notification.url);
  const embed: DiscordEmbed = {
    title: neutraliseLine(truncate(notification.title, RAW_LABEL_MAX), 'discord'),
    ...(description === '' ? {} : { description }),
    ...(url === null ? {} : { url }),
    color: severityColor(notification.severity, options.colors_by_severity),
    fields,
    timestamp: at.toISOString(),
    footer: {
      text: neutraliseLine(truncate(footerParts.join(' · '), 4 * DISCORD_LIMITS.footer), 'discord'),
    },
  };
  return { embed, roles, dropped };
}

function bodyOf(
  embeds: DiscordEmbed[],
  roles: readonly string[],
  options: DiscordMessageOptions,
  first: boolean,
): DiscordWebhookBody {
  const pinged = first ? [...roles] : [];
  const body: DiscordWebhookBody = {
    username: truncate(options.username, DISCORD_LIMITS.username) || 'opscrew',
    embeds,
    allowed_mentions: { parse: [], roles: pinged },
  };
  if (pinged.length > 0) {
    body.content = truncate(pinged.map((id) => `<@&${id}>`).join(' '), DISCORD_LIMITS.content);
  }
  return body;
}
