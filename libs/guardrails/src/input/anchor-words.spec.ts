import fc from 'fast-check';
import { AnchorWords } from './anchor-words';

const GROUPS = [
  ['a', 'ai', 'do'],
  ['don', 'gpt4', 'ignore'],
  ['pre', 'rules', 'system', 'ignore'],
];

/** The lookup it replaced: every token (split on spaces and apostrophes) in a set. */
function oracle(text: string): number[] {
  const tokens = new Set(text.split(/[ ']/));
  return GROUPS.map((group) => (group.some((word) => tokens.has(word)) ? 1 : 0));
}

describe('AnchorWords', () => {
  it('marks the groups with a word that is a whole token', () => {
    const words = new AnchorWords(GROUPS);
    expect([...words.in(" don't the system's gpt4 ")]).toEqual([0, 1, 1]);
    expect([...words.in(' ignored systems prerules 10gpt4 doa ')]).toEqual([0, 0, 0]);
    expect([...words.in('ignore')]).toEqual([0, 1, 1]);
  });

  it('agrees with splitting into a set of every token', () => {
    const words = new AnchorWords(GROUPS);
    const piece = fc.constantFrom(...GROUPS.flat(), ' ', "'", 'x', '4', '-', 'é', 'ignor', 'ru');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect([...words.in(text)]).toEqual(oracle(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an anchor that could never be a token of the words view', () => {
    expect(() => new AnchorWords([['two words']])).toThrow(/not an anchor word/);
    expect(() => new AnchorWords([['Upper']])).toThrow(/not an anchor word/);
  });
});
