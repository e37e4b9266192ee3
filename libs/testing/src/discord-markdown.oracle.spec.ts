import {
  type DiscordLiveKind,
  findDiscordLive,
  renderDiscordText,
} from './discord-markdown.oracle';

const kinds = (text: string): DiscordLiveKind[] => [
  ...new Set(findDiscordLive(text).map((f) => f.kind)),
];

describe('Discord markdown oracle', () => {
  it('consumes a backslash before punctuation, keeps it before letters, digits and spaces', () => {
    expect(renderDiscordText('\\*a\\_b\\\\c').visible).toBe('*a_b\\c');
    expect(renderDiscordText('\\a\\1\\ x').visible).toBe('\\a\\1\\ x');
    expect([...renderDiscordText('\\*a').literal]).toEqual([1, 0]);
  });

  it('sees plain operational text as inert', () => {
    expect(findDiscordLive('p99 latency 812 ms on checkout (threshold 500 ms)')).toEqual([]);
    expect(findDiscordLive('')).toEqual([]);
  });

  it.each([
    ['**bold**', 'inline-markdown'],
    ['__underline__ and _it_', 'inline-markdown'],
    ['~~strike~~', 'inline-markdown'],
    ['`code`', 'inline-markdown'],
    ['||spoiler||', 'inline-markdown'],
    // An escaped backslash leaves the mark after it live.
    ['\\\\*x*', 'inline-markdown'],
  ] as const)('inline mark %j is live', (text, kind) => {
    expect(kinds(text)).toContain(kind);
  });

  it('escaped marks are text', () => {
    expect(findDiscordLive('\\*\\*bold\\*\\* \\|\\|x\\|\\| \\_a\\_ \\`c\\` \\~\\~s\\~\\~')).toEqual(
      [],
    );
  });

  it.each([
    '# h',
    '## h',
    '### h',
    '-# small',
    '> quote',
    '>>> block',
    '- item',
    '* item',
    '  # indented',
  ])('line-leading %j is live', (text) => {
    expect(kinds(`first line\n${text}`)).toContain('line-markdown');
  });

  it('line syntax mid-line or escaped is text', () => {
    expect(kinds('a # b - c > d')).not.toContain('line-markdown');
    expect(kinds('\\# h\n\\-# s\n\\> q\n\\- i')).toEqual([]);
    expect(kinds('#hashtag')).toEqual([]);
  });

  it.each([
    'https://evil.com',
    'HTTP://EVIL.COM',
    '1https://evil.com',
    '_https://evil.com',
    `${'a'.repeat(40)}https://evil.com`,
    '<https://evil.com>',
  ])('autolinks %j (Discord links a URL glued to a word)', (text) => {
    expect(kinds(text)).toContain('autolink');
  });

  it('masked links are live, escaped brackets are not', () => {
    expect(kinds('[click](https://evil.com)')).toContain('masked-link');
    expect(kinds('[click](<hxxps://evil[.]com>)')).toContain('masked-link');
    expect(kinds('\\[click\\](x)')).toEqual([]);
  });

  it('other schemes count, defanged ones do not', () => {
    expect(kinds('steam://run/1')).toContain('url-scheme');
    expect(kinds('://x')).toContain('url-scheme');
    expect(findDiscordLive('hxxps://evil[.]com fxp://f wxs://w steam[://]run')).toEqual([]);
  });

  it('mentions and their look-alikes', () => {
    for (const text of [
      '<@123>',
      '<@!123>',
      '<@&123>',
      '<#123>',
      '</deploy:123>',
      '<:e:123>',
      '<a:e:1>',
      '<t:1700000000:R>',
      '<id:customize>',
    ]) {
      expect(kinds(text)).toEqual(['mention']);
    }
    expect(kinds('@everyone and @HERE')).toEqual(['mass-mention']);
    expect(findDiscordLive('<\u200B@123> \\<@123> @\u200Beveryone <@abc>')).toEqual([]);
  });

  it('script URIs, controls, bidi, tags and lone surrogates', () => {
    expect(kinds('javascript:alert(1)')).toEqual(['script-uri']);
    expect(kinds('java script :x')).toEqual(['script-uri']);
    expect(kinds('javascript[:]x')).toEqual([]);
    expect(kinds('a\u0007b')).toEqual(['control-character']);
    expect(kinds('a\u202Eb \u{E0041}')).toEqual(['invisible-character']);
    expect(kinds('a\uD800b')).toEqual(['lone-surrogate']);
    expect(kinds('tab\tnew\nline 😀')).toEqual([]);
  });

  it('reads a megabyte of marks (a quadratic reader would meet the test timeout)', () => {
    const findings = findDiscordLive('*<@'.repeat(350_000));
    expect(findings.length).toBeLessThanOrEqual(50);
  });
});
