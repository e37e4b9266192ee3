import { type OutboxItemRecord } from '@opscrew/contracts';
import { recordFromCommand } from './outbox-item.factory';
import { OutboxView, type ViewChange } from './outbox-view';
import { unitAlert } from './testing/outbox-units';

const record = (attempts: number): OutboxItemRecord => ({
  ...recordFromCommand({ kind: 'notify', notification: unitAlert(1) }, 0, 1),
  attempts,
});
const put = (attempts: number): ViewChange => ({ kind: 'put', value: record(attempts) });
const attemptsOf = (view: OutboxView): number[] =>
  view.snapshot().items.map((item) => item.value.attempts);

describe('OutboxView', () => {
  it('keeps the newest revision of a key, whatever order the sources deliver in', () => {
    const view = new OutboxView();
    expect(view.apply('item.a', 5, put(2))).toBe(true);
    // A late watch entry or a slow scan read of an older revision changes nothing.
    expect(view.applyWatched('item.a', 3, put(1))).toBe(false);
    expect(view.apply('item.a', 5, put(9))).toBe(false);
    expect(attemptsOf(view)).toEqual([2]);
    expect(view.apply('item.a', 7, put(3))).toBe(true);
    expect(view.snapshot().items).toEqual([{ key: 'item.a', value: record(3), revision: 7 }]);
  });

  it('a delete or purge marker removes the item, and an older value cannot bring it back', () => {
    const view = new OutboxView();
    view.applyWatched('item.a', 1, put(0));
    view.applyWatched('item.a', 4, { kind: 'gone' });
    expect(view.apply('item.a', 2, put(1))).toBe(false);
    expect(view.snapshot().items).toEqual([]);
    // A re-enqueue after the delete is a newer revision: it is live again.
    expect(view.applyWatched('item.a', 6, put(0))).toBe(true);
    expect(attemptsOf(view)).toEqual([0]);
  });

  it('forgetting keeps a newer value (a re-enqueue the purge left alone)', () => {
    const view = new OutboxView();
    view.apply('item.a', 3, put(0));
    view.apply('item.a', 8, put(1));
    view.forget('item.a', 3);
    expect(attemptsOf(view)).toEqual([1]);
    view.forget('item.a', 8);
    expect(view.snapshot().items).toEqual([]);
  });

  it('drops a tombstone once the watch is past it, not before', () => {
    const view = new OutboxView();
    view.apply('item.a', 5, put(0));
    view.forget('item.a', 5);
    view.snapshot();
    // The watch may still deliver revision 5 itself: the tombstone must outlive that.
    expect(view.size).toBe(1);
    expect(view.applyWatched('item.a', 5, put(0))).toBe(false);
    view.applyWatched('item.b', 9, put(0));
    view.snapshot();
    expect(view.size).toBe(1);
    expect(view.snapshot().items.map((item) => item.key)).toEqual(['item.b']);
  });

  it('reports a corrupt value until a newer valid one replaces it', () => {
    const view = new OutboxView();
    view.apply('item.a', 2, put(0));
    view.applyWatched('item.a', 3, { kind: 'corrupt', reason: 'item.a is not JSON' });
    expect(view.snapshot()).toEqual({ items: [], corrupt: ['item.a is not JSON'] });
    expect(view.snapshot().corrupt).toHaveLength(1);
    view.applyWatched('item.a', 4, put(1));
    expect(view.snapshot()).toEqual({
      items: [expect.objectContaining({ revision: 4 })],
      corrupt: [],
    });
  });

  it('hands out copies: a caller moving its item revision does not move the view', () => {
    const view = new OutboxView();
    view.apply('item.a', 2, put(0));
    const [item] = view.snapshot().items;
    if (item === undefined) throw new Error('no item');
    item.revision = 99;
    expect(view.snapshot().items[0]?.revision).toBe(2);
  });
});
