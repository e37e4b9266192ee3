import { validateSync } from 'class-validator';
import { valueRule } from './value-rule';

class Sample {
  @valueRule('even', (v) => typeof v === 'number' && v % 2 === 0, 'must be even')
  fixed: unknown;

  @valueRule('short', (v) => typeof v === 'string' && v.length < 3, (v) => `too long: ${String(v)}`)
  worded: unknown;
}

describe('valueRule', () => {
  it('passes what the test accepts and words what it refuses without the property name', () => {
    const sample = Object.assign(new Sample(), { fixed: 3, worded: 'abcd' });
    const messages = validateSync(sample).map((e) => Object.values(e.constraints ?? {}));
    expect(messages).toEqual([['must be even'], ['too long: abcd']]);
    expect(validateSync(Object.assign(new Sample(), { fixed: 2, worded: 'ab' }))).toEqual([]);
  });
});
