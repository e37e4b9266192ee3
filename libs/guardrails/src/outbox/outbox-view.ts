import { type OutboxItemRecord } from '@opscrew/contracts';
import { type Item } from './outbox-item';

/** What one source (the watch, a scan's read, this process's own write) says of a key. */
export type ViewChange =
  | { readonly kind: 'put'; readonly value: OutboxItemRecord }
  | { readonly kind: 'gone' }
  | { readonly kind: 'corrupt'; readonly reason: string };

interface Known {
  readonly revision: number;
  readonly item?: Item;
  /** The error a corrupt value is logged with, every pass until fixed. */
  readonly corrupt?: string;
}

/**
 * The outbox's items as last seen, by key. Three sources feed it in no set order — a KV watch,
 * the full scan of a resync, and this process's own writes (so a pass sees what its own enqueue
 * or claim just wrote without waiting for the watch) — so every change carries the revision it
 * was read at, and only a newer revision than the key's known one is taken: a late watch entry
 * never undoes a newer write, a scan's slow read never undoes a delete the watch already gave.
 *
 * Deleted keys are kept as tombstones (revision only) while an older entry could still arrive:
 * once the watch has delivered past a tombstone's revision nothing older can come, so it goes.
 *
 * It only decides what a pass looks at: every write is still a CAS on the revision the view
 * holds, so a stale entry costs one lost CAS, never a wrong write.
 */
export class OutboxView {
  private readonly known = new Map<string, Known>();
  /** The highest revision the watch delivered: older tombstones can no longer be overtaken. */
  private watched = 0;

  /** Takes `change` of `key` at `revision` if newer than what is known; true when taken. */
  apply(key: string, revision: number, change: ViewChange): boolean {
    const current = this.known.get(key);
    if (current !== undefined && current.revision >= revision) return false;
    switch (change.kind) {
      case 'put':
        this.known.set(key, { revision, item: { key, value: change.value, revision } });
        break;
      case 'gone':
        this.known.set(key, { revision });
        break;
      case 'corrupt':
        this.known.set(key, { revision, corrupt: change.reason });
        break;
    }
    return true;
  }

  /** An entry the watch delivered (stream order): also moves the tombstone horizon. */
  applyWatched(key: string, revision: number, change: ViewChange): boolean {
    this.watched = Math.max(this.watched, revision);
    return this.apply(key, revision, change);
  }

  /**
   * A key purged up to `revision` (the sweeper's forget): gone unless the view already holds a
   * newer value (a re-enqueue after the read, which the purge left alone).
   */
  forget(key: string, revision: number): void {
    // At or below the revision purged: the value read is gone (apply would keep an equal one).
    const current = this.known.get(key);
    if (current === undefined || current.revision <= revision) this.known.set(key, { revision });
  }

  /** The live items (fresh objects: a caller may change its copy's revision) and corrupt keys. */
  snapshot(): { items: Item[]; corrupt: string[] } {
    const items: Item[] = [];
    const corrupt: string[] = [];
    for (const [key, known] of this.known) {
      if (known.item !== undefined) items.push({ ...known.item });
      else if (known.corrupt !== undefined) corrupt.push(known.corrupt);
      else if (known.revision <= this.watched) this.known.delete(key);
    }
    return { items, corrupt };
  }

  /** Keys held, tombstones included (for tests and the note's measurements). */
  get size(): number {
    return this.known.size;
  }
}
