import { type Notification } from '@opscrew/ports';
import { findDiscordLive, seededRandom } from '@opscrew/testing';
import {
  buildDiscordMessage,
  buildDiscordMessages,
  DEFAULT_DISCORD_MESSAGE_OPTIONS,
  type DiscordWebhookBody,
} from './discord-message.builder';
import { DISCORD_LIMITS, embedLength } from './discord-embed.limits';
import { CONTINUED, splitDiscordText, splitText } from './discord-message.splitter';
import { neutralise } from '../text/neutralise';

const AT = new Date('2026-12-07T00:00:00.000Z');
/** Letters, digits, spaces, line breaks and a surrogate pair: what a report is made of. */
const ALPHABET = ['a', 'b', 'Z', '7', ' ', ' ', '\n', '-', '·', '😀', '%'];

function text(random: () => number, length: number): string {
  const out: string[] = [];
  let size = 0;
  while (size < length) {
    const next = ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'a';
    out.push(next);
    size += next.length;
  }
  return out.join('');
}

/** Every limit of Discord's webhook execute body (API v10) this body breaks (none: []). */
function violations(body: DiscordWebhookBody): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => void (ok || out.push(what));
  check(body.embeds.length >= 1, 'no embed');
  check(body.embeds.length <= DISCORD_LIMITS.embedsPerMessage, 'embeds > 10');
  check((body.content ?? '').length <= DISCORD_LIMITS.content, 'content > 2000');
  let total = 0;
  body.embeds.forEach((embed, i) => {
    check(embed.title.length > 0 && embed.title.length <= DISCORD_LIMITS.title, `title ${i}`);
    check((embed.description ?? 'x').trim().length > 0, `empty description ${i}`);
    check(
      (embed.description ?? '').length <= DISCORD_LIMITS.description,
      `description ${i} > 4096`,
    );
    check(embed.fields.length <= DISCORD_LIMITS.fields, `fields ${i} > 25`);
    for (const field of embed.fields) {
      check(field.name.length > 0 && field.name.length <= DISCORD_LIMITS.fieldName, 'field name');
      check(field.value.trim().length > 0, 'empty field value');
      check(field.value.length <= DISCORD_LIMITS.fieldValue, 'field value > 1024');
    }
    check(embed.footer.text.length <= DISCORD_LIMITS.footer, 'footer > 2048');
    total += embedLength(embed);
  });
  check(total <= DISCORD_LIMITS.embedTotal, `total ${total} > 6000`);
  return out;
}

const visible = (value: string): string => value.replace(/\s/g, '');

describe('splitText', () => {
  it('gives pieces within the limit whose concatenation is the text (any text, any limit)', () => {
    const random = seededRandom(11);
    for (let run = 0; run < 300; run += 1) {
      const source = text(random, Math.floor(random() * 6000));
      const max = 2 + Math.floor(random() * 4200);
      const pieces = splitText(source, max);
      expect(pieces.join('') === source).toBe(true);
      // Within the limit, never empty, never half of a surrogate pair at a cut.
      const bad = pieces.filter(
        (piece) => piece.length > max || piece.length === 0 || /[\uD800-\uDBFF]$/.test(piece),
      );
      expect(bad).toEqual([]);
    }
  });

  it('cuts at a line break when one fits, so lines stay whole', () => {
    expect(splitText('first line\nsecond line\nthird', 24)).toEqual([
      'first line\nsecond line\n',
      'third',
    ]);
  });
});

describe('buildDiscordMessages', () => {
  const base: Notification = {
    idempotency_key: 'report:report.ops-monitor-daily.2026-12-07T00:00:00.000Z',
    kind: 'report',
    severity: 'info',
    title: 'ops-monitor daily report 2026-12-07',
    text: 'all quiet',
    fields: [{ name: 'opened', value: '0', inline: true }],
  };

  it('sends a notification within the limits as exactly one body, the single-message one', () => {
    const { bodies } = buildDiscordMessages(base, DEFAULT_DISCORD_MESSAGE_OPTIONS, AT);
    expect(bodies).toEqual([buildDiscordMessage(base, DEFAULT_DISCORD_MESSAGE_OPTIONS, AT).body]);
  });

  it('any size: every message keeps every Discord limit, and no text or field is lost', () => {
    const random = seededRandom(7);
    for (let run = 0; run < 80; run += 1) {
      const notification: Notification = {
        ...base,
        title: text(random, 1 + Math.floor(random() * 400)),
        text: text(random, Math.floor(random() * 20_000)),
        fields: Array.from({ length: Math.floor(random() * 40) }, (_, i) => ({
          name: `f${i} ${text(random, Math.floor(random() * 300))}`,
          value: text(random, 1 + Math.floor(random() * 2000)),
          inline: random() < 0.5,
        })),
        mention_roles: ['oncall'],
      };
      const options = { ...DEFAULT_DISCORD_MESSAGE_OPTIONS, role_ids: { oncall: '123456789' } };
      const { bodies } = buildDiscordMessages(notification, options, AT);
      expect(bodies.flatMap(violations)).toEqual([]);
      // Pings: the first message only.
      expect(bodies[0]?.allowed_mentions.roles).toEqual(['123456789']);
      for (const body of bodies.slice(1)) expect(body.allowed_mentions.roles).toEqual([]);
      const embeds = bodies.flatMap((body) => body.embeds);
      const description = embeds.map((embed) => embed.description ?? '').join('');
      // Exactly what one message would show (neutralised for Discord), only spread out.
      const shown = (value: string): string => visible(neutralise(value, 'discord'));
      expect(visible(description) === shown(notification.text)).toBe(true);
      // A blank value shows as `-` (Discord refuses an empty one).
      const values = embeds.flatMap((embed) => embed.fields.map((f) => f.value)).join('');
      expect(
        visible(values) === notification.fields.map((f) => shown(f.value) || '-').join(''),
      ).toBe(true);
      // Every field is there, in order (its first part carries its name).
      const names = embeds
        .flatMap((embed) => embed.fields.map((f) => f.name))
        .filter((name) => !name.endsWith(CONTINUED));
      expect(names.map((n) => n.slice(0, 3).trim())).toEqual(
        notification.fields.map((f) => f.name.slice(0, 3).trim()),
      );
      // Titles: the first embed's is the notification's, the rest say they continue it.
      for (const embed of embeds.slice(1)) expect(embed.title.endsWith(CONTINUED)).toBe(true);
    }
  });
});

describe('splitDiscordText', () => {
  it('escapes line syntax a cut leaves at the start of a piece, within the limit', () => {
    // A space cut: the second piece would start with `# heading` (a heading in a new embed).
    const text = `${'x'.repeat(600)} ${'y'.repeat(396)} # heading`;
    const pieces = splitDiscordText(text, 1000);
    expect(pieces).toHaveLength(2);
    expect(pieces[1]).toBe('\\# heading');
    expect(pieces.every((piece) => piece.length <= 1000)).toBe(true);
    expect(findDiscordLive(pieces[1] ?? '')).toEqual([]);
  });

  it('never cuts between a backslash and the character it escapes', () => {
    // Hard cuts only (no space or newline): `\*` pairs straddle every boundary candidate.
    const text = '\\*'.repeat(2000);
    for (const max of [1000, 1001, 1024, 1025]) {
      for (const piece of splitDiscordText(text, max)) {
        expect(piece.length).toBeLessThanOrEqual(max);
        expect(findDiscordLive(piece)).toEqual([]);
      }
    }
  });
});

describe('splitDiscordText and defanged schemes', () => {
  it('never starts a piece inside a scheme (`hxx|ps://` would leave `ps://`)', () => {
    const text = neutralise('https://evil.com/'.repeat(400), 'discord');
    for (const max of [1000, 1001, 1003, 1024, 1030]) {
      for (const piece of splitDiscordText(text, max)) {
        expect(piece.length).toBeLessThanOrEqual(max);
        expect(findDiscordLive(piece)).toEqual([]);
      }
    }
  });
});
