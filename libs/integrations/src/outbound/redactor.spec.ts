import { redactorFor } from './outbound-http.client';

describe('redactorFor: an adapter’s own secrets in every encoding', () => {
  const token = 'ATATT3xFfGF0-fake+token/with=odd&chars-0123456789';
  const email = 'ops@example.test';
  const basic = Buffer.from(`${email}:${token}`).toString('base64');
  const webhookToken = 'Wb7xQ-fake_webhook_token_0123456789abcdefghijklmnopqrstuvwxYZ';
  const webhook = `https://discord.com/api/webhooks/123456789012345678/${webhookToken}`;
  const redact = redactorFor([token, basic, webhook]);

  it.each([
    ['raw', token],
    ['encodeURIComponent', encodeURIComponent(token)],
    ['form encoded', new URLSearchParams({ t: token }).toString().slice(2)],
    ['base64', Buffer.from(token).toString('base64')],
    ['base64url', Buffer.from(token).toString('base64url')],
    ['Basic credentials', basic],
    ['a 12-character prefix', token.slice(0, 12)],
    ['the webhook token', webhookToken],
    ['the webhook token cut', webhookToken.slice(0, 10)],
  ])('%s', (_how, leaked) => {
    const out = redact(`vendor said: bad value "${leaked}"`);
    expect(out).not.toContain(leaked);
    expect(out).toContain('[REDACTED:');
  });

  it('keeps the rest of the message readable (a webhook host is not a secret)', () => {
    expect(redact('POST https://discord.com/api/v10/channels: 404 Unknown Channel')).toBe(
      'POST https://discord.com/api/v10/channels: 404 Unknown Channel',
    );
  });

  it('also scrubs secrets it was not given (the shared scrubber)', () => {
    expect(redact('echo Authorization: Bearer abc.def.0123456789xyz')).toBe(
      'echo Authorization: Bearer [REDACTED:bearer]',
    );
  });
});
