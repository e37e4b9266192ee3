import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, ruleWeights } from './screen-rules';
import { screenViews } from './screen-views';

/** The public corpora of the screen bench (repo copies, with their licences). */
const CORPORA_DIR = join(__dirname, '..', '..', '..', '..', 'bench', 'data', 'screen');

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

  it('the anchor words only skip rules that could not match (same weights with and without them, on every bench corpus)', () => {
    const sources = readdirSync(CORPORA_DIR, { withFileTypes: true }).filter((d) =>
      d.isDirectory(),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      const texts = JSON.parse(
        readFileSync(join(CORPORA_DIR, source.name, 'texts.json'), 'utf8'),
      ) as string[];
      const differing = texts.filter((text) => {
        const views = screenViews(text);
        return (
          JSON.stringify([...ruleWeights(views, true)]) !==
          JSON.stringify([...ruleWeights(views, false)])
        );
      });
      expect({ source: source.name, differing }).toEqual({ source: source.name, differing: [] });
    }
  });

  it('no rule is stateful (a global or sticky regex would carry lastIndex between calls)', () => {
    for (const rule of RULES) expect(rule.pattern.flags).not.toMatch(/[gy]/);
  });
});
