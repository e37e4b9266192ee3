import { IDENTIFIER_MAX_LENGTH } from '../events/field-limits';
import {
  IsFlag,
  IsInteger,
  IsText,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

/**
 * The value under a key of the `leaders` bucket (`<agent>` or `<agent>.<role>`): which replica
 * leads that agent's once-only work. Like a `locks` lease it carries its own expiry (NATS 2.9:
 * bucket TTL only, and watches never see it), and the entry's KV revision is the fencing token.
 */
export class LeaderRecord {
  /** The replica id (AgentIdentity.replica) of the leader. */
  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  /**
   * Counts hand-overs: 1 for the first leader of the key, +1 each time another acquisition
   * (after an expiry or a release) takes it. A renew keeps it. For people and logs; the
   * revision is what executors compare.
   */
  @IsInteger(1)
  term!: number;

  @IsTimestamp()
  acquired_at!: string;

  @IsTimestamp()
  renewed_at!: string;

  /** Judged by the reader's clock: see LeaderLease for the skew this tolerates. */
  @IsTimestamp()
  expires_at!: string;

  /**
   * Set by a clean stop: the key is free at once, whatever the clocks say. A marker rather
   * than a delete keeps the term counting up across releases.
   */
  @OptionalField()
  @IsFlag()
  released?: boolean;
}
