import { type Item } from './outbox-item';
import { type OutboxStore } from './outbox.store';

/**
 * Forgets delivered and folded items after `retention_ms` (until then a re-enqueue of the same
 * key is a no-op). Failed items stay until an operator acts on them.
 */
export class OutboxSweeper {
  constructor(
    private readonly store: OutboxStore,
    private readonly retentionMs: number,
  ) {}

  async sweep(all: readonly Item[], now: number): Promise<void> {
    for (const item of all) {
      const { state, updated_at } = item.value;
      if (
        (state === 'delivered' || state === 'folded') &&
        now - Date.parse(updated_at) > this.retentionMs
      ) {
        await this.store.forget(item.key, item.revision);
      }
    }
  }
}
