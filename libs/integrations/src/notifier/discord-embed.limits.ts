import { ELLIPSIS, truncate } from '@opscrew/ports';

/**
 * Discord's documented limits (API v10). A message over any of them is a 400
 * (50035 Invalid Form Body) and the alert is lost, so the builder truncates —
 * never sends something Discord must refuse.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  username: 80,
  embedsPerMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Across ALL embeds of a message: title + description + field names/values + footer + author. */
  embedTotal: 6000,
} as const;

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: DiscordEmbedField[];
  timestamp: string;
  footer: { text: string };
}

/** The characters Discord counts toward the 6000 total of one embed. */
export function embedLength(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    (embed.description?.length ?? 0) +
    embed.fields.reduce((sum, f) => sum + f.name.length + f.value.length, 0) +
    embed.footer.text.length
  );
}

/**
 * Applies every per-part limit, then fits the total: the description gives
 * way first (down to 512), then fields are dropped from the end (a last field
 * says how many), then the description shrinks further, then the footer.
 */
export function fitEmbed(
  input: DiscordEmbed,
  total: number = DISCORD_LIMITS.embedTotal,
): DiscordEmbed {
  const embed: DiscordEmbed = {
    ...input,
    title: truncate(input.title, DISCORD_LIMITS.title) || '-',
    footer: { text: truncate(input.footer.text, DISCORD_LIMITS.footer) },
    fields: fitFieldCount(input.fields).map((f) => ({
      ...f,
      name: truncate(f.name, DISCORD_LIMITS.fieldName) || '-',
      value: truncate(f.value, DISCORD_LIMITS.fieldValue) || '-',
    })),
  };
  if (embed.description !== undefined) {
    embed.description = truncate(embed.description, DISCORD_LIMITS.description);
    if (embed.description === '') delete embed.description;
  }
  const shrinkDescription = (floor: number): void => {
    const excess = embedLength(embed) - total;
    if (excess <= 0 || embed.description === undefined) return;
    const target = Math.max(floor, embed.description.length - excess);
    embed.description = truncate(embed.description, target);
  };
  shrinkDescription(512);
  let dropped = 0;
  while (embedLength(embed) > total && embed.fields.length > 0) {
    embed.fields.pop();
    dropped += 1;
  }
  if (dropped > 0) {
    const note = {
      name: ELLIPSIS,
      value: `${dropped} more field(s) not shown (message size limit)`,
    };
    embed.fields.push(note);
    // The note itself must fit: shrink the description for it, else give it up.
    shrinkDescription(0);
    if (embedLength(embed) > total) embed.fields.pop();
  }
  shrinkDescription(0);
  if (embedLength(embed) > total) {
    const room = Math.max(1, embed.footer.text.length - (embedLength(embed) - total));
    embed.footer = { text: truncate(embed.footer.text, room) };
  }
  if (embedLength(embed) > total) {
    embed.title = truncate(
      embed.title,
      Math.max(1, embed.title.length - (embedLength(embed) - total)),
    );
  }
  return embed;
}

function fitFieldCount(fields: readonly DiscordEmbedField[]): DiscordEmbedField[] {
  if (fields.length <= DISCORD_LIMITS.fields) return [...fields];
  const kept = fields.slice(0, DISCORD_LIMITS.fields - 1);
  kept.push({
    name: ELLIPSIS,
    value: `${fields.length - kept.length} more field(s) not shown (Discord allows ${DISCORD_LIMITS.fields})`,
  });
  return kept;
}
