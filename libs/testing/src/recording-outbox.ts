import { type EnqueueResult, type OutboxCommand } from '@opscrew/guardrails';

/** The idempotency key of a command, wherever its kind keeps it. */
export function idempotencyKeyOf(command: OutboxCommand): string {
  return command.kind === 'ticket.create'
    ? command.draft.idempotency_key
    : command.kind === 'notify'
      ? command.notification.idempotency_key
      : command.idempotency_key;
}

type CommandOf<K extends OutboxCommand['kind']> = Extract<OutboxCommand, { kind: K }>;

/**
 * An outbox that records instead of delivering, idempotent per kind and key like the real one
 * (an item is keyed by both): `calls` has every enqueue, `commands` one entry per item (the
 * first command) in the order first stored, `created` their idempotency keys and `items` the
 * first command per key. `failures` holds errors for the next enqueue calls, in order (a crash
 * mid-step). Can be shared by several service instances.
 */
export class RecordingOutbox {
  readonly calls: OutboxCommand[] = [];
  readonly commands: OutboxCommand[] = [];
  readonly created: string[] = [];
  readonly items = new Map<string, OutboxCommand>();
  readonly failures: (Error | null)[] = [];
  private readonly seen = new Set<string>();

  enqueue(command: OutboxCommand): Promise<EnqueueResult> {
    const failure = this.failures.shift() ?? null;
    if (failure !== null) return Promise.reject(failure);
    this.calls.push(command);
    const key = idempotencyKeyOf(command);
    const item = `${command.kind}:${key}`;
    if (this.seen.has(item)) return Promise.resolve({ key, created: false, state: 'pending' });
    this.seen.add(item);
    this.commands.push(command);
    this.created.push(key);
    if (!this.items.has(key)) this.items.set(key, command);
    return Promise.resolve({ key, created: true, state: 'pending' });
  }

  /** Stored commands of one kind, in creation order. */
  ofKind<K extends OutboxCommand['kind']>(kind: K): CommandOf<K>[] {
    return this.commands.filter((command): command is CommandOf<K> => command.kind === kind);
  }

  notifications(): CommandOf<'notify'>[] {
    return this.ofKind('notify');
  }

  /** Target statuses of the stored ticket transitions, in order. */
  transitions(): string[] {
    return this.ofKind('ticket.transition').map((command) => command.to);
  }

  comments(): string[] {
    return this.ofKind('ticket.comment').map((command) => command.text);
  }
}
