import fc from 'fast-check';
import { AnchorWords } from './anchor-words';

/** The lookup it replaced: every token (split on spaces and apostrophes) in a set. */
function oracle(anchors: readonly string[], text: string): string[] {
  const tokens = new Set(text.split(/[ ']/));
  return anchors.filter((anchor) => tokens.has(anchor)).sort();
}

const ANCHORS = ['a', 'ai', 'do', 'don', 'gpt4', 'ignore', 'pre', 'rules', 'system'];

describe('AnchorWords', () => {
  it('finds the anchor words that are whole tokens', () => {
    const words = new AnchorWords(ANCHORS);
    expect([...words.in(" don't ignore the system's pre rules gpt4 ")].sort()).toEqual([
      'don',
      'gpt4',
      'ignore',
      'pre',
      'rules',
      'system',
    ]);
    expect([...words.in(' ignored systems prerules 10gpt4 ')]).toEqual([]);
  });

  it('agrees with splitting into a set of every token', () => {
    const words = new AnchorWords(ANCHORS);
    const piece = fc.constantFrom(...ANCHORS, ' ', "'", 'x', '4', '-', 'é', 'ignor', 'ru');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect([...words.in(text)].sort()).toEqual(oracle(ANCHORS, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses an anchor that could never be a token of the words view', () => {
    expect(() => new AnchorWords(['two words'])).toThrow(/not an anchor word/);
    expect(() => new AnchorWords(['Upper'])).toThrow(/not an anchor word/);
  });
});
