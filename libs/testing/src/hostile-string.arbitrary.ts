import fc from 'fast-check';

/**
 * Fragments that mean something to Discord, Jira, a URL parser or a terminal:
 * generated text is mostly these, glued in any order, so a few hundred runs
 * reach the combinations that matter (a scheme glued to a word, a mention
 * split by an escape, a heading after a cut, a lone surrogate half).
 */
const FRAGMENTS: readonly string[] = [
  '@everyone',
  '@here',
  '@',
  '<@123>',
  '<@&456>',
  '<#789>',
  '</cmd:1>',
  '<t:1:R>',
  '<',
  '>',
  'https://',
  'http://',
  'HTTPS://',
  '://',
  'steam://',
  'constructor://',
  'toString',
  'evil.com',
  '.com',
  '.',
  'www.',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '10.0.0.1',
  'javascript:',
  'java script :',
  'data:text/html,',
  'file:/',
  '[x](',
  '](',
  '[',
  ']',
  '(',
  ')',
  '\\',
  '\\\\',
  '*',
  '**',
  '_',
  '__',
  '~~',
  '`',
  '```',
  '||',
  '|',
  '# ',
  '## ',
  '-# ',
  '- ',
  '+ ',
  '* ',
  '> ',
  '>>> ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  ' ',
  '  ',
  '1',
  '_',
  'a',
  'x'.repeat(40),
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u0085',
  '\u00AD',
  '\u200B',
  '\u200D',
  '\u2028',
  '\u2029',
  '\u202E',
  '\u2066',
  '\uFEFF',
  '\uFE0F',
  '\u{E0041}',
  '\uD800',
  '\uDC00',
  '\uDBFF',
  '😀',
  'ｈｔｔｐｓ：／／',
  '＠ｅｖｅｒｙｏｎｅ',
  '＜＠１＞',
  'ﬁ',
  '"',
  "'",
];

/** One code unit of any value (lone surrogate halves and controls included). */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** One unit of hostile text: a meaningful fragment, any code point, or any code unit. */
const hostileUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: anyCodeUnit },
);

/** Any string, biased to hostile fragments; `maxUnits` units (each a fragment or a character). */
export function hostileString(maxUnits = 60): fc.Arbitrary<string> {
  return fc.string({ unit: hostileUnit, maxLength: maxUnits });
}

/**
 * A hostile string of `length` UTF-16 units (a generated sample repeated):
 * for the few runs that check limits and linear cost at sizes up to 1 MB.
 */
export function bigHostileString(length: number): fc.Arbitrary<string> {
  return hostileString(80)
    .filter((sample) => sample.length > 0)
    .map((sample) => sample.repeat(Math.ceil(length / sample.length)).slice(0, length));
}
