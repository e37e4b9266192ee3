import { ControlToken } from './control-token';

describe('ControlToken', () => {
  const token = new ControlToken('s3cret-token-0123456789');

  it('accepts only the exact bearer token', () => {
    expect(token.accepts('Bearer s3cret-token-0123456789')).toBe(true);
    expect(token.accepts('Bearer s3cret-token-012345678')).toBe(false);
    expect(token.accepts('bearer s3cret-token-0123456789')).toBe(false);
    expect(token.accepts('s3cret-token-0123456789')).toBe(false);
    expect(token.accepts(undefined)).toBe(false);
  });

  it('without a token, nothing is accepted', () => {
    const none = new ControlToken(null);
    expect(none.configured).toBe(false);
    expect(none.accepts('Bearer ')).toBe(false);
    expect(new ControlToken('').accepts('Bearer x')).toBe(false);
  });
});
