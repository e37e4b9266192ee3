import {
  commentMarker,
  IDEMPOTENCY_LABEL_PREFIX,
  idempotencyHash,
  idempotencyLabel,
  labelToken,
} from './idempotency-key';

describe('idempotency keys', () => {
  it('hashes a key to 24 stable hex characters (another length on request)', () => {
    const hash = idempotencyHash('ticket:INC-20250131-001');
    expect(hash).toMatch(/^[0-9a-f]{24}$/);
    expect(idempotencyHash('ticket:INC-20250131-001')).toBe(hash);
    expect(idempotencyHash('ticket:INC-20250131-002')).not.toBe(hash);
    expect(idempotencyHash('ticket:INC-20250131-001', 8)).toBe(hash.slice(0, 8));
  });

  it('carries the hash in the Jira label and the comment marker', () => {
    const key = 'comment:INC-20250131-001:L2';
    expect(idempotencyLabel(key)).toBe(`${IDEMPOTENCY_LABEL_PREFIX}${idempotencyHash(key)}`);
    expect(commentMarker(key)).toBe(`opscrew ref ${idempotencyHash(key)}`);
  });

  it('makes a label Jira accepts: no whitespace or control characters, at most 255', () => {
    expect(labelToken('  checkout  api\n\u0000v2 ')).toBe('checkout-api-v2');
    expect(labelToken('a--b')).toBe('a-b');
    expect(labelToken('x'.repeat(300))).toHaveLength(255);
  });
});
