import { type Notification } from '@opscrew/ports';
import { bigHostileString, findDiscordLive, hostileString } from '@opscrew/testing';
import fc from 'fast-check';
import { DISCORD_LIMITS, embedLength } from './discord-embed.limits';
import {
  buildDiscordMessage,
  buildDiscordMessages,
  type DiscordMessageOptions,
  type DiscordWebhookBody,
} from './discord-message.builder';

const options: DiscordMessageOptions = {
  username: 'opscrew',
  role_ids: { oncall: '111111111111111111' },
  colors_by_severity: {},
};
const at = new Date('2025-01-31T12:00:00.000Z');

/** A notification whose every data field is arbitrary. */
function notificationOf(text: fc.Arbitrary<string>): fc.Arbitrary<Notification> {
  return fc.record({
    idempotency_key: text,
    kind: fc.constant('incident' as const),
    severity: fc.constantFrom('critical', 'high', 'medium', 'low'),
    title: text,
    text,
    fields: fc.array(fc.record({ name: text, value: text, inline: fc.boolean() }), {
      maxLength: 30,
    }),
    incident_id: text,
    url: fc.oneof(text, fc.constant('https://signoz.example.com/services/checkout')),
    mention_roles: fc.array(fc.constantFrom('oncall', '@oncall', 'unknown', '@everyone'), {
      maxLength: 3,
    }),
  });
}

/** Every Discord limit, and nothing live (per the oracle) in any text Discord renders. */
function expectSafe(body: DiscordWebhookBody): void {
  expect(body.embeds.length).toBeGreaterThan(0);
  expect(body.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
  expect(body.embeds.reduce((n, e) => n + embedLength(e), 0)).toBeLessThanOrEqual(
    DISCORD_LIMITS.embedTotal,
  );
  expect(body.allowed_mentions.parse).toEqual([]);
  if (body.content !== undefined) {
    expect(body.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    // The only pings: configured roles, each allowed by id.
    expect(body.content).toMatch(/^(?:<@&\d+>)(?: <@&\d+>)*$/);
    for (const id of body.content.match(/\d+/g) ?? []) {
      expect(body.allowed_mentions.roles).toContain(id);
    }
  }
  const texts: string[] = [];
  for (const embed of body.embeds) {
    expect(embed.title.length).toBeGreaterThan(0);
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect((embed.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.footer.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    texts.push(embed.title, embed.description ?? '', embed.footer.text);
    for (const field of embed.fields) {
      expect(field.name.length).toBeGreaterThan(0);
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(field.value.length).toBeGreaterThan(0);
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      texts.push(field.name, field.value);
    }
    if (embed.url !== undefined) expect(embed.url).toMatch(/^https?:\/\//);
  }
  for (const text of texts) expect(findDiscordLive(text)).toEqual([]);
  // The whole body serialises (no lone surrogate for an encoder to choke on).
  expect(JSON.stringify(body)).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
}

describe('Discord message builder (properties)', () => {
  it('any notification: one body within every limit, nothing live', () => {
    fc.assert(
      fc.property(notificationOf(hostileString()), (notification) => {
        expectSafe(buildDiscordMessage(notification, options, at).body);
      }),
      { numRuns: 200 },
    );
  });

  it('any notification, split: every body within every limit, nothing live', () => {
    fc.assert(
      fc.property(notificationOf(hostileString(400)), (notification) => {
        const { bodies } = buildDiscordMessages(notification, options, at);
        bodies.forEach(expectSafe);
        // Pings go with the first message only.
        bodies.slice(1).forEach((body) => expect(body.content).toBeUndefined());
      }),
      { numRuns: 100 },
    );
  });

  it('holds with 64 KB and 1 MB texts', () => {
    fc.assert(
      fc.property(fc.oneof(bigHostileString(64 * 1024), bigHostileString(1 << 20)), (big) => {
        const notification: Notification = {
          idempotency_key: big.slice(0, 5000),
          kind: 'incident',
          severity: 'critical',
          title: big,
          text: big,
          fields: [{ name: big, value: big }],
          incident_id: big.slice(0, 100),
        };
        expectSafe(buildDiscordMessage(notification, options, at).body);
        buildDiscordMessages(notification, options, at).bodies.forEach(expectSafe);
      }),
      { numRuns: 3 },
    );
  });
});
