import { LineSplitter } from './line-splitter';
import { LogRingBuffer } from './log-ring.buffer';

describe('LogRingBuffer', () => {
  it('keeps the newest capacity items, oldest first', () => {
    const ring = new LogRingBuffer<number>(3);
    expect(ring.tail(10)).toEqual([]);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.length).toBe(3);
    expect(ring.tail(10)).toEqual([3, 4, 5]);
    expect(ring.tail(2)).toEqual([4, 5]);
    expect(ring.tail(0)).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LogRingBuffer(0)).toThrow(RangeError);
    expect(() => new LogRingBuffer(1.5)).toThrow(RangeError);
  });
});

describe('LineSplitter', () => {
  it('joins lines across chunks and returns the unterminated rest at the end', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('a\nb'))).toEqual(['a']);
    expect(s.push(Buffer.from('c\r\n'))).toEqual(['bc']);
    expect(s.push(Buffer.from('tail'))).toEqual([]);
    expect(s.end()).toEqual(['tail']);
    expect(s.end()).toEqual([]);
  });

  it('bounds a line that never ends', () => {
    const s = new LineSplitter(4);
    expect(s.push(Buffer.from('abcdefghij'))).toEqual(['abcd', 'efgh']);
    expect(s.end()).toEqual(['ij']);
  });
});
