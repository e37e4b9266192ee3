import { type OutboxItemRecord, type OutboxKind } from '@opscrew/contracts';
import { type Clock } from '@opscrew/messaging';
import { byOrder, iso, type Item } from './outbox-item';
import { itemKey } from './outbox-keys';
import { type OutboxDepthEntry } from './outbox.commands';
import { type OutboxStore } from './outbox.store';

/** What operators and dashboards ask of the outbox (atlas, /metrics, the CLI), and retry. */
export class OutboxAdmin {
  constructor(
    private readonly store: OutboxStore,
    private readonly clock: Clock,
    /** Called when an item went back to the queue (its lane should look now). */
    private readonly onRequeued: (kind: OutboxKind) => void,
  ) {}

  /** Items by kind and state, for /metrics (delivered and folded ones are kept for retention_ms). */
  async depth(): Promise<OutboxDepthEntry[]> {
    const counts = new Map<string, OutboxDepthEntry>();
    for (const item of await this.store.scan()) {
      const id = `${item.value.kind}|${item.value.state}`;
      const previous = counts.get(id);
      counts.set(id, {
        kind: item.value.kind,
        state: item.value.state,
        count: (previous?.count ?? 0) + 1,
      });
    }
    return [...counts.values()].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.state.localeCompare(b.state),
    );
  }

  /** Every item with its key, in enqueue order. */
  async list(): Promise<Item[]> {
    return (await this.store.scan()).sort(byOrder);
  }

  /** The item for a kind and idempotency key, if still kept. */
  get(kind: OutboxKind, idempotencyKey: string): Promise<Item | null> {
    return this.store.get(itemKey(kind, idempotencyKey));
  }

  /** The tracker key of a delivered ticket creation, once known. */
  async ticketKeyFor(idempotencyKey: string): Promise<string | null> {
    const item = await this.get('ticket.create', idempotencyKey);
    return item?.value.state === 'delivered' ? (item.value.result_ref ?? null) : null;
  }

  /** Puts a failed item back in the queue (an operator fixed the cause). */
  async retry(key: string): Promise<boolean> {
    const entry = await this.store.get(key);
    if (entry === null || entry.value.state !== 'failed') return false;
    const now = iso(this.clock.now());
    const next: OutboxItemRecord = {
      ...entry.value,
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      updated_at: now,
    };
    const written = (await this.store.updateUnguarded(key, next, entry.revision)) !== null;
    if (written) this.onRequeued(entry.value.kind);
    return written;
  }
}
