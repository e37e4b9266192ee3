import { INVISIBLE_RANGES, invisibleCharacters } from './invisible-characters';

describe('invisible characters (the one list every layer shares)', () => {
  it.each([
    ['zero-width space', '\u200b'],
    ['zero-width joiner', '\u200d'],
    ['right-to-left override', '\u202e'],
    ['isolate', '\u2066'],
    ['byte-order mark', '\ufeff'],
    ['soft hyphen', '\u00ad'],
    ['Hangul filler', '\u3164'],
    ['tag character', '\u{e0041}'],
    ['variation selector 1', '\ufe00'],
    ['bell', '\u0007'],
    ['escape', '\u001b'],
    ['C1 control', '\u0085'],
  ])('lists the %s', (_name, char) => {
    expect(invisibleCharacters('u').test(char)).toBe(true);
  });

  it.each([
    ['tab', '\t'],
    ['newline', '\n'],
    ['carriage return', '\r'],
    ['emoji variation selector', '\ufe0f'],
    ['letters', 'abc'],
    ['emoji', '😀'],
  ])('leaves the %s alone', (_name, text) => {
    expect(invisibleCharacters('u').test(text)).toBe(false);
  });

  it('gives a fresh regex each time (no lastIndex shared between callers)', () => {
    const first = invisibleCharacters('gu');
    first.test('a\u200bb');
    expect(invisibleCharacters('gu').lastIndex).toBe(0);
    expect(INVISIBLE_RANGES).toContain('\\u{E0000}-\\u{E007F}');
  });
});
