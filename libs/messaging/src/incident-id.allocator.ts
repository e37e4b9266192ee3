import { Logger } from '@nestjs/common';
import { type TypedKv } from './typed-kv';

/**
 * Within a process allocations are serialised, so CAS contention only comes
 * from other processes (replicas, a CLI inject): a handful at most. 20 rounds
 * with a few ms of jitter between them is far beyond that, and still bounded.
 */
const MAX_CAS_ATTEMPTS = 20;
const MAX_JITTER_MS = 5;

/**
 * Hands out incident ids `INC-YYYYMMDD-NNN` (UTC day): one counter per day in
 * the `sequences` bucket, advanced by compare-and-swap so two replicas never
 * get the same number.
 */
export class IncidentIdAllocator {
  private readonly logger = new Logger(IncidentIdAllocator.name);
  /** Tail of the local queue: a storm of new incidents in one process must not fight itself for the counter. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly sequences: TypedKv<number>) {}

  next(at: Date = new Date()): Promise<string> {
    const result = this.tail.then(() => this.allocate(at));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async allocate(at: Date): Promise<string> {
    const day = at.toISOString().slice(0, 10).replaceAll('-', '');
    const key = `incident.${day}`;
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.sequences.get(key);
      const next = (current?.value ?? 0) + 1;
      const won =
        current === null
          ? await this.sequences.create(key, next)
          : await this.sequences.update(key, next, current.revision);
      if (won !== null) return `INC-${day}-${String(next).padStart(3, '0')}`;
      this.logger.debug(`incident id counter ${key} moved under us (attempt ${attempt}); retrying`);
      // Another process won this round: step aside a random moment so the next round is not a tie.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * MAX_JITTER_MS));
    }
    throw new Error(
      `could not allocate an incident id for ${day} after ${MAX_CAS_ATTEMPTS} attempts`,
    );
  }
}

/** The schema of a counter value: a non-negative integer. */
export const counterSchema = {
  validate: (raw: unknown) =>
    typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
      ? ({ ok: true, value: raw } as const)
      : ({ ok: false, reason: 'must be a non-negative integer' } as const),
};
