import { RULES } from './screen-rules';

/**
 * Linearity by construction: with bounded quantifiers only, each match
 * attempt reads a bounded number of characters, so a rule costs at most a
 * constant per position of the text (no timing needed to know it).
 */
function unboundedQuantifiers(source: string): string[] {
  const outsideClasses = source
    .replace(/\\./g, '') // escapes (`\*`, `\[`) are literals
    .replace(/\[[^\]]*\]/g, ''); // a class is one character, whatever it lists
  return outsideClasses.match(/[*+]|\{\d+,\}/g) ?? [];
}

describe('screen rules', () => {
  it.each(RULES.map((rule, index) => [index, rule.finding, rule.pattern] as const))(
    'rule %i (%s) uses bounded quantifiers only',
    (_index, _finding, pattern) => {
      expect(unboundedQuantifiers(pattern.source)).toEqual([]);
    },
  );

  it('the checker itself sees unbounded quantifiers', () => {
    expect(unboundedQuantifiers(/^\s*(system|assistant)\s*:/.source)).toEqual(['*', '*']);
    expect(unboundedQuantifiers(/a{2,}b+[*+]\*/.source)).toEqual(['{2,}', '+']);
  });

  it('no rule is stateful (a global or sticky regex would carry lastIndex between calls)', () => {
    for (const rule of RULES) expect(rule.pattern.flags).not.toMatch(/[gy]/);
  });
});
