import { type Notification } from '@opscrew/ports';
import { findLiveMarkup, garakPayloads, HOSTILE_STRINGS } from '../testing/hostile-text';
import { DISCORD_LIMITS, embedLength } from './discord-embed.limits';
import { buildDiscordMessage, type DiscordMessageOptions } from './discord-message.builder';

const options: DiscordMessageOptions = {
  username: 'opscrew',
  role_ids: { 'oncall-engineer': '111111111111111111', 'team-lead': '${UNSET}' },
  colors_by_severity: { critical: '#d7263d', high: 'f46036' },
};
const at = new Date('2025-01-31T12:00:00.000Z');

const base: Notification = {
  idempotency_key: 'notify:INC-20250131-001:detected',
  kind: 'incident',
  severity: 'critical',
  title: 'High error rate on checkout',
  text: 'error_rate_pct 12.5 > 5',
  fields: [{ name: 'Service', value: 'checkout', inline: true }],
  incident_id: 'INC-20250131-001',
};

describe('Discord message builder', () => {
  it('builds the webhook body with colour, footer, timestamp and no pings', () => {
    const { body, dropped_roles } = buildDiscordMessage(base, options, at);
    expect(dropped_roles).toEqual([]);
    expect(body).toEqual({
      username: 'opscrew',
      embeds: [
        {
          title: 'High error rate on checkout',
          description: 'error\\_rate\\_pct 12.5 \\> 5',
          color: 0xd7263d,
          fields: [{ name: 'Service', value: 'checkout', inline: true }],
          timestamp: '2025-01-31T12:00:00.000Z',
          footer: {
            text: 'opscrew · incident · INC-20250131-001 · ref notify:INC-20250131-001:detected',
          },
        },
      ],
      allowed_mentions: { parse: [], roles: [] },
    });
  });

  it('pings only configured roles with snowflake ids; the rest are dropped', () => {
    const { body, dropped_roles } = buildDiscordMessage(
      { ...base, mention_roles: ['@oncall-engineer', 'team-lead', 'everyone', 'ceo'] },
      options,
      at,
    );
    expect(body.content).toBe('<@&111111111111111111>');
    expect(body.allowed_mentions).toEqual({ parse: [], roles: ['111111111111111111'] });
    expect(dropped_roles).toEqual(['team-lead', 'everyone', 'ceo']);
  });

  it('uses the trusted url as the embed link only when it is http(s)', () => {
    expect(
      buildDiscordMessage({ ...base, url: 'https://jira.example.com/browse/OPS-1' }, options, at)
        .body.embeds[0]?.url,
    ).toBe('https://jira.example.com/browse/OPS-1');
    expect(
      buildDiscordMessage({ ...base, url: 'javascript:alert(1)' }, options, at).body.embeds[0]?.url,
    ).toBeUndefined();
  });

  it('enforces every per-part limit by truncation', () => {
    const { body } = buildDiscordMessage(
      {
        ...base,
        title: 't'.repeat(1000),
        text: 'd'.repeat(10_000),
        fields: Array.from({ length: 40 }, (_, i) => ({
          name: `n${i}`.repeat(200),
          value: 'v'.repeat(5000),
        })),
        idempotency_key: 'k'.repeat(5000),
      },
      options,
      at,
    );
    const embed = body.embeds[0];
    if (embed === undefined) throw new Error('no embed');
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.title.endsWith('…')).toBe(true);
    expect((embed.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of embed.fields) {
      expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      expect(f.name.length).toBeGreaterThan(0);
      expect(f.value.length).toBeGreaterThan(0);
    }
    expect(embed.footer.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
    // The 6000 total across the message: the rule the spec cannot express.
    expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(embed.fields.at(-1)?.value).toMatch(/more field\(s\) not shown/);
  });

  it('keeps the 6000 total when many mid-sized parts add up', () => {
    const { body } = buildDiscordMessage(
      {
        ...base,
        title: 'x'.repeat(256),
        text: 'y'.repeat(4096),
        fields: Array.from({ length: 25 }, () => ({
          name: 'n'.repeat(256),
          value: 'v'.repeat(1024),
        })),
      },
      options,
      at,
    );
    const embed = body.embeds[0];
    expect(embed !== undefined && embedLength(embed)).toBeLessThanOrEqual(6000);
    expect((embed?.description ?? '').length).toBeGreaterThan(0);
  });

  it('neutralises every data-derived string of the hostile corpus', () => {
    for (const hostile of [...HOSTILE_STRINGS, ...garakPayloads()]) {
      const { body } = buildDiscordMessage(
        {
          ...base,
          title: hostile,
          text: hostile,
          fields: [{ name: hostile, value: hostile }],
          incident_id: hostile,
          idempotency_key: hostile,
        },
        options,
        at,
      );
      const embed = body.embeds[0];
      const texts = [
        embed?.title,
        embed?.description,
        embed?.footer.text,
        ...(embed?.fields ?? []).flatMap((f) => [f.name, f.value]),
      ];
      for (const text of texts) {
        expect(findLiveMarkup(text ?? '', 'discord')).toEqual([]);
      }
      expect(body.content).toBeUndefined();
    }
  });

  it('falls back to default colours', () => {
    expect(
      buildDiscordMessage({ ...base, severity: 'low' }, options, at).body.embeds[0]?.color,
    ).toBe(0x2e86ab);
    expect(
      buildDiscordMessage({ ...base, severity: 'high' }, options, at).body.embeds[0]?.color,
    ).toBe(0xf46036);
  });
});
