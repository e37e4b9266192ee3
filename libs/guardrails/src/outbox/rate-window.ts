import { OUTBOX_RATE_ENTRIES_MAX, type OutboxRateWindowRecord } from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';

export type SlotVerdict = { readonly ok: true } | { readonly ok: false; readonly free_at: number };

/**
 * A sliding-window log of deliveries, persisted under one key of the outbox
 * bucket and changed only by compare-and-swap: every replica shares the
 * budget, and a restart does not reset it. A slot is reserved just before
 * sending and given back when the vendor definitely refused the request. Writers on one
 * window key are the outbox workers of two or three replicas: TypedKv.mutate's retry policy.
 */
export class RateWindow {
  constructor(
    private readonly kv: TypedKv<OutboxRateWindowRecord>,
    readonly key: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Whether a slot is free now (no write). */
  async peek(now: number): Promise<SlotVerdict> {
    const current = await this.kv.get(this.key);
    return this.verdict(this.live(current?.value.entries ?? [], now), now);
  }

  /** Takes a slot for `ref` if one is free. */
  async reserve(ref: string, now: number): Promise<SlotVerdict> {
    const { result } = await this.kv.mutate<SlotVerdict>(this.key, (current) => {
      const entries = this.live(current?.value.entries ?? [], now);
      const verdict = this.verdict(entries, now);
      if (!verdict.ok) return { keep: verdict };
      const next = { entries: [...entries, { at: now, ref }].slice(-OUTBOX_RATE_ENTRIES_MAX) };
      return { put: next, result: verdict };
    });
    return result;
  }

  /** Gives back the most recent slot taken by `ref` (the send definitely did not happen). */
  async release(ref: string): Promise<void> {
    await this.kv.mutate<null>(this.key, (current) => {
      if (current === null) return { keep: null };
      const entries = [...current.value.entries];
      let index = -1;
      for (let i = entries.length - 1; i >= 0; i--) {
        if (entries[i]?.ref === ref) {
          index = i;
          break;
        }
      }
      if (index < 0) return { keep: null };
      entries.splice(index, 1);
      return { put: { entries }, result: null };
    });
  }

  /** Deliveries counted in the window ending now. */
  async used(now: number): Promise<number> {
    const current = await this.kv.get(this.key);
    return this.live(current?.value.entries ?? [], now).length;
  }

  private live(
    entries: readonly { at: number; ref: string }[],
    now: number,
  ): { at: number; ref: string }[] {
    return entries.filter((e) => e.at > now - this.windowMs);
  }

  private verdict(entries: readonly { at: number }[], now: number): SlotVerdict {
    if (entries.length < this.limit) return { ok: true };
    // The window frees a slot when its `limit`-th newest entry ages out.
    const oldestCounted = entries[entries.length - this.limit]?.at ?? now;
    return { ok: false, free_at: oldestCounted + this.windowMs };
  }
}
