import fc from 'fast-check';
import { DISCORD_CONTENT_MAX, formatReplyText } from './chat-reply.format';

describe('formatReplyText', () => {
  it('never exceeds the limit and never carries a live mass mention, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 5000 }),
        fc.constantFrom('@everyone ', '<@&1> ', '*'),
        (text, hostile) => {
          const out = formatReplyText(hostile.repeat(300) + text, 'discord');
          expect(out.length).toBeLessThanOrEqual(DISCORD_CONTENT_MAX);
          expect(out).not.toMatch(/@everyone|<@&/);
        },
      ),
    );
  });

  it('defangs links in data and keeps short text whole', () => {
    expect(formatReplyText('see https://evil.example.com now', 'plain')).toBe(
      'see hxxps://evil[.]example[.]com now',
    );
    expect(formatReplyText('   ', 'discord')).toBe('(no answer)');
  });
});
