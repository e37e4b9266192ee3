import { errorMessage } from './error-message';

describe('errorMessage', () => {
  it("is an Error's message, subclasses included", () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(new TypeError('bad type'))).toBe('bad type');
  });

  it('is the thrown value as a string when it is not an Error', () => {
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage({ code: 'X' })).toBe('[object Object]');
    expect(errorMessage({ message: 42 })).toBe('[object Object]');
  });

  it('reads an error of another realm by its message (it fails instanceof Error)', () => {
    const foreign: unknown = { name: 'TypeError', message: 'fetch failed' };
    expect(errorMessage(foreign)).toBe('fetch failed');
  });
});
