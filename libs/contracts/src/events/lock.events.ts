import { IsInteger, IsOneOf, IsText, IsTimestamp } from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import {
  IDENTIFIER_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
} from './field-limits';

export const LOCK_RELEASE_REASONS = ['released', 'expired', 'taken_over'] as const;
export type LockReleaseReason = (typeof LOCK_RELEASE_REASONS)[number];

/** `lock.acquired`: exclusive per-service work began (load test, restart). */
export class LockAcquiredEvent extends EventEnvelope {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  /** The KV revision of the lease: the fencing token executors compare against. */
  @IsInteger(1)
  revision!: number;

  @IsTimestamp()
  expires_at!: string;

  @IsText(NOTE_MAX_LENGTH)
  reason!: string;
}

/** `lock.released`. */
export class LockReleasedEvent extends EventEnvelope {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  @IsInteger(1)
  revision!: number;

  @IsOneOf(LOCK_RELEASE_REASONS)
  reason!: LockReleaseReason;
}
