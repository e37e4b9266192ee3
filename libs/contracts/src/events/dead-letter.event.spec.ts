import { DEAD_LETTER_RAW_MAX_BYTES, truncateRaw, truncateText } from './dead-letter.event';

const bytes = (s: string): number => new TextEncoder().encode(s).length;

describe('truncateRaw', () => {
  it('keeps short payloads as they are', () => {
    expect(truncateRaw(new TextEncoder().encode('{"a":1}'))).toBe('{"a":1}');
    expect(truncateRaw('')).toBe('');
  });

  it('cuts to 4 KiB of UTF-8 on a character boundary, with a mark', () => {
    const text = 'é'.repeat(5000);
    const cut = truncateRaw(text);
    expect(bytes(cut)).toBeLessThanOrEqual(DEAD_LETTER_RAW_MAX_BYTES);
    expect(cut.endsWith('…[truncated]')).toBe(true);
    expect(cut.startsWith('éé')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });

  it('replaces invalid UTF-8 instead of failing', () => {
    expect(truncateRaw(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe('{\uFFFD}');
  });
});

describe('truncateText', () => {
  it('cuts long text with an ellipsis', () => {
    expect(truncateText('abc', 5)).toBe('abc');
    expect(truncateText('abcdef', 5)).toBe('abcd…');
    expect(truncateText('x'.repeat(3000))).toHaveLength(2000);
  });
});
