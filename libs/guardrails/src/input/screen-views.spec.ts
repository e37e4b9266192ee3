import fc from 'fast-check';
import { unleet } from './screen-views';

/** The look-behind regex the loop replaced, as the oracle. */
const LEET_IN_WORD = /(?<=[a-z])[013457@$]|[013457@$](?=[a-z])/g;
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

describe('unleet', () => {
  it('maps leet characters beside a letter only, reading neighbours as written', () => {
    expect(unleet('1gn0re pr3v10us')).toBe('ignore previous');
    expect(unleet('10.0.3.7 a11 p@$$')).toBe('10.0.3.7 ai1 pa$$');
  });

  it('agrees with the look-behind regex', () => {
    const character = fc.constantFrom(...'ab z01234567@$.-_ Aé\n'.split(''));
    fc.assert(
      fc.property(fc.array(character, { maxLength: 40 }), (characters) => {
        const text = characters.join('');
        expect(unleet(text)).toBe(text.replace(LEET_IN_WORD, (c) => LEET[c] ?? c));
      }),
      { numRuns: 3000 },
    );
  });
});
