import { jsonErrorPosition } from './json-error-position';

describe('jsonErrorPosition', () => {
  it.each([
    ['{', 1],
    ['{"a":}', 5],
    ['xyz', 0],
    ['{"a":1,}', 7],
    ['', 0],
    ['[1,2', 4],
    ['{"a":1} x', 8],
    ['"abc', 4],
    ['{"a":tru}', 8],
    ['{"a":01}', 6],
    ['{"a":"\\q"}', 7],
    ['{"a":"\u0001"}', 6],
    ['{"a" 1}', 5],
    ['[1,]', 3],
    ['{"a":-}', 6],
    ['{"a":1.}', 7],
    ['{"a":1e}', 7],
    ['{"a":"\\u12g4"}', 10],
  ])('locates the error in %j at %i', (text, position) => {
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(jsonErrorPosition(text)).toBe(position);
  });

  it('accepts what JSON accepts (falls back to the end)', () => {
    const text = ' {"a": [1, -2.5e+3, true, false, null, "x\\n\\u00e9"], "b": {}} ';
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(jsonErrorPosition(text)).toBe(text.length);
  });
});
