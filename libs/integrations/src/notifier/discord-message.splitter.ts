import { truncate } from '@opscrew/ports';
import {
  DISCORD_LIMITS,
  type DiscordEmbed,
  type DiscordEmbedField,
  embedLength,
} from './discord-embed.limits';

/** Appended to the title of every embed after the first: the reader sees it goes on. */
export const CONTINUED = ' (cont.)';

/**
 * Cuts `text` into pieces of at most `max` UTF-16 units whose concatenation is `text`: at the
 * last line break that fits, else the last space, else hard (never inside a surrogate pair).
 * Pieces keep their separators, so nothing is lost or reordered.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new Error(`splitText: max must be at least 2 (got ${max})`);
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    // Past the first quarter only: a break right at the start would make a sliver of a piece.
    const floor = Math.floor(max / 4);
    let cut = window.lastIndexOf('\n') + 1;
    if (cut <= floor) cut = window.lastIndexOf(' ') + 1;
    if (cut <= floor) {
      cut = max;
      const last = rest.charCodeAt(cut - 1);
      if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
      // Never between a backslash and the character it escapes: the next piece would
      // start with that character live (`\*` cut after `\` leaves `*`).
      if (trailingBackslashes(rest.slice(0, cut)) % 2 === 1) cut -= 1;
      cut = beforeScheme(rest, cut, floor);
    }
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

/** Characters of a (defanged, escaped) scheme before `://`: `hxxps`, `steam\\[`. */
const SCHEME_RUN_CHAR = /[a-z0-9+.\-[\\]/i;

/**
 * A hard cut moved back to the start of a scheme it would fall in (at most 34
 * characters, never to `floor`): `hxx|ps://` would start the next piece with
 * `ps://`, a scheme no longer defanged.
 */
function beforeScheme(text: string, cut: number, floor: number): number {
  const ahead = text.slice(cut, cut + 34).indexOf('://');
  if (ahead === -1) return cut;
  for (let i = cut; i < cut + ahead; i += 1) {
    if (!SCHEME_RUN_CHAR.test(text.charAt(i))) return cut;
  }
  let moved = cut;
  while (moved > floor + 1 && cut - moved < 34 && SCHEME_RUN_CHAR.test(text.charAt(moved - 1))) {
    moved -= 1;
  }
  return moved > floor + 1 ? moved : cut;
}

function trailingBackslashes(text: string): number {
  let count = 0;
  while (count < text.length && text.charAt(text.length - 1 - count) === '\\') count += 1;
  return count;
}

/**
 * Line-leading Discord syntax (heading, subtext, list, quote) at the start of a
 * piece: a piece cut mid-line starts a new embed, where `# x` from the middle
 * of a line would render as a heading.
 */
const PIECE_LINE_START = /^([ \t]*)([#+\-*>])/;

/**
 * Pieces of neutralised Discord text of at most `max` characters: splitText
 * with one character kept back, spent on escaping syntax a cut left at the
 * start of a piece.
 */
export function splitDiscordText(text: string, max: number): string[] {
  return splitText(text, max - 1).map((piece, index) =>
    index === 0 ? piece : piece.replace(PIECE_LINE_START, '$1\\$2'),
  );
}

/** What an over-long embed is split into: its parts, in order, and how they group into messages. */
export interface SplitEmbeds {
  readonly messages: DiscordEmbed[][];
}

/**
 * Splits one embed that breaks Discord's limits into several that keep them, without losing
 * text: the description becomes consecutive embeds (each ≤ 4096 and leaving room for the title
 * and footer in the 6000 total), a long field value becomes consecutive fields
 * (`name (cont.)`), fields go 25 an embed at most, and embeds are packed into messages of at
 * most 10 whose combined length is ≤ 6000. Titles and field names are labels: they are cut to
 * their limit, not continued. Every embed after the first is titled `<title> (cont.)`.
 */
export function splitEmbed(embed: DiscordEmbed): SplitEmbeds {
  const title = truncate(embed.title, DISCORD_LIMITS.title) || '-';
  const continued = truncate(embed.title, DISCORD_LIMITS.title - CONTINUED.length) + CONTINUED;
  // The footer is on every embed (Discord shows it per embed): a long one is cut to leave
  // the description a fair share of each 6000.
  const footer = { text: truncate(embed.footer.text, 256) };
  const overhead = Math.max(title.length, continued.length) + footer.text.length;
  const chunk = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.embedTotal - overhead);
  const base = (first: boolean): DiscordEmbed => ({
    title: first ? title : continued,
    ...(first && embed.url !== undefined ? { url: embed.url } : {}),
    color: embed.color,
    fields: [],
    timestamp: embed.timestamp,
    footer,
  });
  const embeds: DiscordEmbed[] = [];
  for (const piece of splitDiscordText(embed.description ?? '', chunk)) {
    // A piece of only blanks shows nothing (and Discord refuses an empty description).
    if (piece.trim() === '') continue;
    embeds.push({ ...base(embeds.length === 0), description: piece });
  }
  for (const field of splitFields(embed.fields)) {
    const last = embeds[embeds.length - 1];
    const fits =
      last !== undefined &&
      last.fields.length < DISCORD_LIMITS.fields &&
      embedLength(last) + field.name.length + field.value.length <= DISCORD_LIMITS.embedTotal;
    if (fits) last.fields.push(field);
    else embeds.push({ ...base(embeds.length === 0), fields: [field] });
  }
  if (embeds.length === 0) embeds.push(base(true));
  return { messages: packMessages(embeds) };
}

/** Field values over 1024 become consecutive fields; names are cut (labels), never empty. */
function splitFields(fields: readonly DiscordEmbedField[]): DiscordEmbedField[] {
  const out: DiscordEmbedField[] = [];
  for (const field of fields) {
    const name = truncate(field.name, DISCORD_LIMITS.fieldName) || '-';
    const more = truncate(field.name, DISCORD_LIMITS.fieldName - CONTINUED.length) + CONTINUED;
    const inline = field.inline === undefined ? {} : { inline: field.inline };
    const pieces = splitDiscordText(field.value, DISCORD_LIMITS.fieldValue).filter(
      (piece) => piece.trim() !== '',
    );
    if (pieces.length === 0) pieces.push('-');
    pieces.forEach((value, index) =>
      out.push({ name: index === 0 ? name : more, value, ...inline }),
    );
  }
  return out;
}

/** Consecutive embeds into messages: ≤ 10 embeds and ≤ 6000 characters across them each. */
function packMessages(embeds: readonly DiscordEmbed[]): DiscordEmbed[][] {
  const messages: DiscordEmbed[][] = [];
  let current: DiscordEmbed[] = [];
  let total = 0;
  for (const embed of embeds) {
    const length = embedLength(embed);
    if (
      current.length > 0 &&
      (current.length >= DISCORD_LIMITS.embedsPerMessage ||
        total + length > DISCORD_LIMITS.embedTotal)
    ) {
      messages.push(current);
      current = [];
      total = 0;
    }
    current.push(embed);
    total += length;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}
