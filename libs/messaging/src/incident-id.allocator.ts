import { Logger } from '@nestjs/common';
import {
  formatEpoch,
  formatIncidentId,
  INCIDENT_EPOCH_SPACE,
  incidentDay,
} from '@opscrew/incident';
import { type KvRevisioned } from './kv-mutation';
import { type TypedKv } from './typed-kv';

/**
 * Store resets met by one allocation before it gives up. Contention on the counter is
 * TypedKv.mutate's to retry (within a process allocations are serialised, so it only comes
 * from other processes); a reset is rare, and two during one allocation mean something is
 * resetting the store in a loop — no id is safe to hand out then.
 */
const MAX_RESET_ROUNDS = 3;

/** One caller of `next`, waiting for its id. */
interface Waiter {
  readonly day: string;
  readonly resolve: (id: string) => void;
  readonly reject: (err: unknown) => void;
}

/** The store's epoch lives beside the day counters (a number: the bucket holds counters). */
export const INCIDENT_EPOCH_KEY = 'incident.epoch';

/**
 * Hands out incident ids `INC-YYYYMMDD-NNN-EEEE` (UTC day; written and read by libs/incident
 * incident-id.ts): one counter per day in
 * the `sequences` bucket, advanced by compare-and-swap so two replicas never
 * get the same number, and the store's epoch EEEE — random, created once per
 * store by CAS (`incident.epoch`), so a reset NATS store (counters back to 0) gets a
 * new epoch and never hands out an id it handed out before (a reused id would be
 * taken as already alerted, ticketed and recorded everywhere it is an idempotency key).
 * The epoch is re-read on every allocation and checked again after the counter is
 * won: a store reset while this process runs cannot pair an old epoch with a new count.
 */
export class IncidentIdAllocator {
  private readonly logger = new Logger(IncidentIdAllocator.name);
  /** Requests not yet served, in arrival order. */
  private readonly waiting: Waiter[] = [];
  /** A round is under way: new requests wait for the next one. */
  private running = false;

  constructor(
    private readonly sequences: TypedKv<number>,
    /** [0, 1) source for a new store's epoch; injectable for tests. */
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The next id of `at`'s day. Requests in one process are served in arrival order, and those
   * waiting together for the same day share one round (epoch read, counter advanced by their
   * number by CAS, epoch check): a storm's new incidents cost one round trip chain per batch,
   * not four requests each one after the other. Their numbers are consecutive, as one by one.
   */
  next(at: Date = new Date()): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ day: incidentDay(at), resolve, reject });
      if (!this.running) void this.serve();
    });
  }

  private async serve(): Promise<void> {
    this.running = true;
    try {
      for (let first = this.waiting[0]; first !== undefined; first = this.waiting[0]) {
        // The run of requests at the head of the queue for the same day.
        let count = 1;
        while (this.waiting[count]?.day === first.day) count++;
        const batch = this.waiting.splice(0, count);
        try {
          const { from, epoch } = await this.allocate(first.day, batch.length);
          for (const [i, waiter] of batch.entries())
            waiter.resolve(formatIncidentId(first.day, from + i, epoch));
        } catch (err: unknown) {
          for (const waiter of batch) waiter.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** `count` consecutive numbers of `day` (the first one), under one epoch checked around the counter write. */
  private async allocate(day: string, count: number): Promise<{ from: number; epoch: number }> {
    const key = `incident.${day}`;
    for (let round = 1; round <= MAX_RESET_ROUNDS; round++) {
      const epoch = await this.epoch();
      const { result: from } = await this.sequences.mutate<number>(key, (current) => {
        const n = (current?.value ?? 0) + 1;
        return { put: n + count - 1, result: n };
      });
      const still = await this.sequences.get(INCIDENT_EPOCH_KEY);
      if (still?.revision === epoch.revision && still.value === epoch.value) {
        return { from, epoch: epoch.value };
      }
      // The store was reset between the epoch read and the counter: these numbers belong to
      // the new store's count, so take fresh ones under the new epoch.
      this.logger.warn(`incident id store was reset during an allocation; allocating again`);
    }
    throw new Error(
      `could not allocate an incident id for ${day}: the store was reset ${MAX_RESET_ROUNDS} times during the allocation`,
    );
  }

  /** The store's epoch, created (by CAS: one winner among replicas) when the store has none. */
  private async epoch(): Promise<KvRevisioned<number>> {
    // Drawn only for a store without one, and once: every round proposes the same epoch.
    let fresh: number | undefined;
    const draw = (): number =>
      (fresh ??= Math.floor(this.random() * INCIDENT_EPOCH_SPACE) % INCIDENT_EPOCH_SPACE);
    const out = await this.sequences.mutate<null>(INCIDENT_EPOCH_KEY, (current) =>
      current === null ? { put: draw(), result: null } : { keep: null },
    );
    if (out.entry === null) {
      throw new Error(`could not read or create the incident id epoch (${INCIDENT_EPOCH_KEY})`);
    }
    if (out.written)
      this.logger.log(`new incident id store: epoch ${formatEpoch(out.entry.value)}`);
    return out.entry;
  }
}

/** The schema of a counter value: a non-negative integer. */
export const counterSchema = {
  validate: (raw: unknown) =>
    typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
      ? ({ ok: true, value: raw } as const)
      : ({ ok: false, reason: 'must be a non-negative integer' } as const),
};
