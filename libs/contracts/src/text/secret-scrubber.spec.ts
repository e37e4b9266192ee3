import fc from 'fast-check';
import { configuredSecrets } from './secret-registry';
import { scrubSecrets } from './secret-scrubber';
import { fakeToken, ORDINARY_LINES, SECRET_SHAPES } from '@opscrew/testing';

/** Built at run time: no secret-shaped literal in the source. */
const NATS_PASSWORD = ['s3cret', 'Passw0rd'].join('');

describe('scrubSecrets', () => {
  afterEach(() => configuredSecrets.clear());

  describe.each(SECRET_SHAPES.map((s) => [s.name, s] as const))('shape: %s', (_name, shape) => {
    it('is redacted with a marker', () => {
      const out = scrubSecrets(shape.line);
      expect(out).not.toContain(shape.secret);
      expect(out).toMatch(/\[REDACTED:[a-z-]+\]/);
    });
    it('is idempotent', () => {
      const once = scrubSecrets(shape.line);
      expect(scrubSecrets(once)).toBe(once);
    });
  });

  it.each(ORDINARY_LINES.map((line) => [line]))('leaves an ordinary line alone: %s', (line) => {
    expect(scrubSecrets(line)).toBe(line);
  });

  it('keeps the URL user and host, redacts only the password', () => {
    expect(scrubSecrets(`nats://atlas:${NATS_PASSWORD}@nats:4222`)).toBe(
      'nats://atlas:[REDACTED:url-password]@nats:4222',
    );
  });

  it('keeps the Discord webhook URL recognisable, its token redacted', () => {
    const token = fakeToken('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-', 68, 99);
    expect(scrubSecrets(`https://discord.com/api/webhooks/123456789012345678/${token}`)).toBe(
      'https://discord.com/api/webhooks/123456789012345678/[REDACTED:webhook-token]',
    );
  });

  it('keeps the key of a key=value pair and the quotes of a JSON value', () => {
    expect(scrubSecrets('{"password":"p4ss w0rd","user":"ops"}')).toBe(
      '{"password":"[REDACTED:secret]","user":"ops"}',
    );
    expect(scrubSecrets('Authorization: Bearer abc.def-123')).toBe(
      'Authorization: Bearer [REDACTED:bearer]',
    );
  });

  it('redacts a truncated token shape', () => {
    expect(scrubSecrets('key sk-ant-api03-AbCdEfGh…')).not.toContain('AbCdEfGh');
  });

  it('keeps a JSON line valid JSON', () => {
    for (const shape of SECRET_SHAPES) {
      const line = JSON.stringify({ msg: shape.line, nested: { text: shape.line } });
      const out = scrubSecrets(line);
      expect(() => JSON.parse(out) as unknown).not.toThrow();
      expect(out).not.toContain(shape.secret);
    }
  });

  it('finds a secret at the start of a line inside a JSON string (after a `\\n` escape)', () => {
    for (const shape of SECRET_SHAPES) {
      const out = scrubSecrets(JSON.stringify({ msg: `first line\n${shape.line}\n\tlast` }));
      expect(() => JSON.parse(out) as unknown).not.toThrow();
      expect(out).not.toContain(shape.secret);
      // A bare token (found by its shape alone) right at the start of a line.
      if (scrubSecrets(shape.secret) === shape.secret) continue;
      const bare = scrubSecrets(JSON.stringify({ msg: `first line\n${shape.secret}\tx` }));
      expect(bare).not.toContain(shape.secret);
    }
  });

  it('never throws and returns a string for odd input', () => {
    expect(scrubSecrets('\uD800 password=\uDC00abc')).toBe('\uD800 password=[REDACTED:secret]');
    expect(scrubSecrets('')).toBe('');
    expect(scrubSecrets(undefined as unknown as string)).toBe('undefined');
  });

  describe('configured secrets', () => {
    const secret = `Zq8${fakeToken('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:@ ', 37, 7)}`;

    beforeEach(() => configuredSecrets.register(secret));

    it.each([
      ['raw', secret],
      ['encodeURIComponent', encodeURIComponent(secret)],
      ['form encoded', new URLSearchParams({ s: secret }).toString().slice(2)],
      ['base64', Buffer.from(secret).toString('base64')],
      ['base64url', Buffer.from(secret).toString('base64url')],
      ['base64 of user:secret', Buffer.from(`ops@example.test:${secret}`).toString('base64')],
      ['base64 of a:secret', Buffer.from(`a:${secret}`).toString('base64')],
      ['base64url of ab:secret', Buffer.from(`ab:${secret}`).toString('base64url')],
      ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
      ['a prefix of 8', secret.slice(0, 8)],
      ['a prefix of 20', secret.slice(0, 20)],
    ])('is redacted %s', (_how, encoded) => {
      const out = scrubSecrets(`before ${encoded} after`);
      expect(out).toContain('[REDACTED:configured]');
      expect(out).not.toContain(encoded);
    });

    it('registers the secret parts of a URL, not its host', () => {
      configuredSecrets.clear();
      const token = fakeToken('abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-', 68, 3);
      configuredSecrets.register(`https://discord.com/api/webhooks/123456789012345678/${token}`);
      expect(scrubSecrets('see https://discord.com/status')).toBe('see https://discord.com/status');
      expect(scrubSecrets(`cut ${token.slice(0, 12)}`)).toBe('cut [REDACTED:configured]');
    });

    it('matches a low-entropy secret whole only', () => {
      configuredSecrets.clear();
      configuredSecrets.register('password123');
      expect(scrubSecrets('the password reset')).toBe('the password reset');
      expect(scrubSecrets('it was password123!')).toBe('it was [REDACTED:configured]!');
    });

    it('ignores values too short to match safely', () => {
      configuredSecrets.clear();
      configuredSecrets.register('guest');
      expect(configuredSecrets.size).toBe(0);
    });
  });

  describe('properties', () => {
    const text = fc.string({ unit: 'binary', maxLength: 300 });

    it('never throws, on any string (lone surrogates included)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (input) => {
          expect(typeof scrubSecrets(input)).toBe('string');
        }),
        { numRuns: 500 },
      );
    });

    it('is idempotent on random text and on text holding shapes', () => {
      const pieces = fc.constantFrom(...SECRET_SHAPES.map((s) => s.line), ...ORDINARY_LINES);
      fc.assert(
        fc.property(fc.array(fc.oneof(text, pieces), { maxLength: 6 }), (parts) => {
          const once = scrubSecrets(parts.join(' '));
          expect(scrubSecrets(once)).toBe(once);
        }),
        { numRuns: 500 },
      );
    });

    it("is idempotent on text made of the rules' own pieces (near misses, nested quotes, markers)", () => {
      const piece = fc.constantFrom(
        'password',
        'token',
        'api_key',
        'key',
        'secret',
        'auth',
        'Bearer ',
        'Basic ',
        '=',
        ': ',
        '"',
        "'",
        '\\',
        '\\"',
        ' ',
        '\n',
        'https://',
        'u',
        ':',
        '@',
        '/',
        '?',
        '&',
        'sk-ant-',
        'ghp_',
        'eyJ',
        '.',
        'abcDEF123xyz',
        'Q1w2E3r4T5y6U7i8O9p0',
        '[REDACTED:secret]',
        '[',
        ']',
        '-----BEGIN PRIVATE KEY-----',
        '-----END PRIVATE KEY-----',
        'MTEyMjMzNDQ1NTY2Nzc4ODk5',
        '${X}',
      );
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
          const once = scrubSecrets(parts.join(''));
          expect(scrubSecrets(once)).toBe(once);
        }),
        { numRuns: 1000 },
      );
      // A pino line is JSON: scrubbing the JSON of any such text (once or twice nested) keeps it JSON.
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), (parts, twice) => {
          const once = JSON.stringify({ msg: parts.join('') });
          const line = twice ? JSON.stringify({ msg: once }) : once;
          expect(() => JSON.parse(scrubSecrets(line)) as unknown).not.toThrow();
        }),
        { numRuns: 1000 },
      );
    });

    it('a configured secret never survives, in any encoding, inside random text', () => {
      const alphabet =
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:@!%&?_-. ';
      const secretArb = fc
        .string({ unit: fc.constantFrom(...alphabet), minLength: 16, maxLength: 60 })
        .filter((s) => s.trim() === s && new Set(s).size >= 10);
      const encodings: readonly ((s: string) => string)[] = [
        (s) => s,
        (s) => encodeURIComponent(s),
        (s) => new URLSearchParams({ s }).toString().slice(2),
        (s) => Buffer.from(s).toString('base64'),
        (s) => Buffer.from(s).toString('base64url'),
        (s) => Buffer.from(`user:${s}`).toString('base64'),
        (s) => JSON.stringify(s).slice(1, -1),
      ];
      fc.assert(
        fc.property(
          secretArb,
          text,
          text,
          fc.integer({ min: 0, max: encodings.length - 1 }),
          (secret, before, after, which) => {
            configuredSecrets.clear();
            configuredSecrets.register(secret);
            const encoded = (encodings[which] ?? ((s: string) => s))(secret);
            const out = scrubSecrets(`${before}${encoded}${after}`);
            expect(out).not.toContain(encoded);
            expect(out).not.toContain(secret);
          },
        ),
        { numRuns: 400 },
      );
    });
  });
});
