import { IDENTIFIER_MAX_LENGTH, NOTE_MAX_LENGTH } from '../events/field-limits';
import { IsInteger, IsText, IsTimestamp } from '../validation/field.validators';

/**
 * The value stored under a key of the `locks` bucket. NATS 2.9 has no per-key
 * TTL and a watch does not see bucket TTL expiry, so the lease carries its own
 * expiry; the KV revision of the entry is the fencing token.
 */
export class LeaseRecord {
  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  @IsTimestamp()
  acquired_at!: string;

  @IsTimestamp()
  expires_at!: string;

  @IsInteger(1)
  ttl_ms!: number;

  @IsText(NOTE_MAX_LENGTH)
  reason!: string;
}
