import { type OutboxCommand } from '@opscrew/guardrails';
import { idempotencyKeyOf, RecordingOutbox } from './recording-outbox';

const comment = (key: string, text: string): OutboxCommand =>
  ({
    kind: 'ticket.comment',
    idempotency_key: key,
    ticket: { idempotency_key: 't' },
    text,
  }) as const satisfies OutboxCommand;
const transition = (key: string, to: string): OutboxCommand =>
  ({
    kind: 'ticket.transition',
    idempotency_key: key,
    ticket: { idempotency_key: 't' },
    to,
  }) as OutboxCommand;

describe('RecordingOutbox', () => {
  it('is idempotent per kind and key like the real outbox, and keeps every call', async () => {
    const outbox = new RecordingOutbox();
    expect(await outbox.enqueue(comment('k1', 'first'))).toEqual({
      key: 'k1',
      created: true,
      state: 'pending',
    });
    expect((await outbox.enqueue(comment('k1', 'again'))).created).toBe(false);
    await outbox.enqueue(transition('k2', 'Done'));
    expect(outbox.calls).toHaveLength(3);
    expect(outbox.created).toEqual(['k1', 'k2']);
    expect(outbox.comments()).toEqual(['first']);
    expect(outbox.transitions()).toEqual(['Done']);
    expect(outbox.items.get('k1')).toBe(outbox.commands[0]);
    expect(idempotencyKeyOf(outbox.commands[1]!)).toBe('k2');
  });

  it('fails the next calls from `failures`, storing nothing for them', async () => {
    const outbox = new RecordingOutbox();
    outbox.failures.push(new Error('crash mid-step'));
    await expect(outbox.enqueue(comment('k1', 'x'))).rejects.toThrow('crash mid-step');
    expect(outbox.calls).toEqual([]);
    expect((await outbox.enqueue(comment('k1', 'x'))).created).toBe(true);
  });
});
