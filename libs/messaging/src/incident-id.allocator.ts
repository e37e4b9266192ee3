import { Logger } from '@nestjs/common';
import { type TypedKv } from './typed-kv';

/**
 * Contention is two or three writers (ops-monitor replicas, a CLI inject) at
 * once; 20 CAS rounds is far beyond what they need and still bounded.
 */
const MAX_CAS_ATTEMPTS = 20;

/**
 * Hands out incident ids `INC-YYYYMMDD-NNN` (UTC day): one counter per day in
 * the `sequences` bucket, advanced by compare-and-swap so two replicas never
 * get the same number.
 */
export class IncidentIdAllocator {
  private readonly logger = new Logger(IncidentIdAllocator.name);

  constructor(private readonly sequences: TypedKv<number>) {}

  async next(at: Date = new Date()): Promise<string> {
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
