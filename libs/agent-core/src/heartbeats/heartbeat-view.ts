import { type HeartbeatRecord } from '@opscrew/contracts';
import { type HeartbeatEntry } from './replica-liveness';

interface Known {
  readonly revision: number;
  /** Absent: deleted (a tombstone, so an older read arriving late cannot bring it back). */
  readonly value?: HeartbeatRecord;
}

/**
 * The `heartbeats` bucket as last seen, by key. A watch and a full scan feed it in no set order,
 * so each change carries the revision it was read at and only a newer one is taken (the outbox
 * view's rule): a scan's slow get never undoes a newer beat or a delete the watch already gave.
 */
export class HeartbeatView {
  private readonly known = new Map<string, Known>();

  /** `value` of `key` at `revision` (null: deleted); ignored unless newer than what is known. */
  apply(key: string, revision: number, value: HeartbeatRecord | null): void {
    const current = this.known.get(key);
    if (current !== undefined && current.revision >= revision) return;
    this.known.set(key, value === null ? { revision } : { revision, value });
  }

  /** The live entries. */
  entries(): HeartbeatEntry[] {
    const live: HeartbeatEntry[] = [];
    for (const [key, known] of this.known) {
      if (known.value !== undefined)
        live.push({ key, revision: known.revision, value: known.value });
    }
    return live;
  }
}
