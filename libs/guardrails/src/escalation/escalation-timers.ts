import { type EscalationRecord, KV_BUCKETS } from '@opscrew/contracts';
import {
  bucketDeclaration,
  DUE_INDEX_KEY,
  DUE_INDEX_SCHEMA,
  type DueEntry,
  KvDueIndex,
  type TypedKv,
} from '@opscrew/messaging';
import { type EscalationLogger } from './escalation.ports';

/**
 * The escalation timers as the `escalations` bucket's due index (KvDueIndex, key `_due`): one
 * entry per open chain, at its deadline or its pending marker's takeover time. The record is
 * the truth; the index says which records a tick reads. Index writes never fail a step: a
 * failure is logged, and the service's periodic full reindex repairs it.
 */
export class EscalationTimers {
  private readonly index: KvDueIndex;

  constructor(
    kv: TypedKv<EscalationRecord>,
    private readonly pendingClaimMs: number,
    private readonly logger: EscalationLogger,
  ) {
    this.index = new KvDueIndex(
      kv.view(DUE_INDEX_SCHEMA),
      bucketDeclaration(KV_BUCKETS.escalations).due_index_key ?? DUE_INDEX_KEY,
    );
  }

  /** The index's own key in the bucket (not a record). */
  get key(): string {
    return this.index.key;
  }

  /** Every timer, earliest first. */
  entries(): Promise<DueEntry[]> {
    return this.index.entries();
  }

  /**
   * When the record next needs a tick (epoch ms), or null: an open chain's deadline, or its
   * pending marker's takeover time; nothing once closed or exhausted.
   */
  dueOf(record: EscalationRecord): number | null {
    if (record.state !== 'open') return null;
    if (record.pending_level !== undefined) {
      const since = record.pending_since === undefined ? 0 : Date.parse(record.pending_since);
      return Math.max(0, since + this.pendingClaimMs);
    }
    return record.exhausted ? null : Date.parse(record.deadline_at);
  }

  /** Moves the entry to `due` or earlier, before a write that makes the record due sooner. */
  async pullIn(incidentId: string, due: number | null): Promise<void> {
    if (due === null) return;
    try {
      await this.index.schedule(incidentId, due, 0);
    } catch (error) {
      this.failed(incidentId, error);
    }
  }

  /** The entry as the record at `revision` says (null: gone, dropped). */
  async sync(incidentId: string, record: EscalationRecord | null, revision: number): Promise<void> {
    const due = record === null ? null : this.dueOf(record);
    try {
      if (due === null) await this.index.remove(incidentId, revision);
      else await this.index.schedule(incidentId, due, revision);
    } catch (error) {
      this.failed(incidentId, error);
    }
  }

  private failed(incidentId: string, error: unknown): void {
    this.logger.warn(
      `${incidentId}: escalation due index not updated (${error instanceof Error ? error.message : String(error)}); the next reindex repairs it`,
    );
  }
}
