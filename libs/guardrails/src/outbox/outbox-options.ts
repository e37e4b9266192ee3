import { type OutboxConfig, type RateLimitsConfig } from '@opscrew/config';
import { OUTBOX_RATE_ENTRIES_MAX } from '@opscrew/contracts';
import { type BackoffOptions } from '@opscrew/messaging';

export interface OutboxOptions {
  /** Ticket creations per window (`thresholds.guardrails.rate_limits.jira_issues_per_hour`). */
  readonly ticket_creates_per_window: number;
  readonly ticket_window_ms: number;
  /** Notifications per window (`discord_messages_per_minute`). */
  readonly notifications_per_window: number;
  readonly notification_window_ms: number;
  /** How often the worker looks for due items besides the kick on enqueue. */
  readonly poll_interval_ms: number;
  readonly backoff: BackoffOptions;
  /** Retryable failures in a row before an item is parked as failed (visible, never dropped). */
  readonly max_attempts: number;
  /**
   * How long a claim on an item lives without a renewal. The owner renews it every third of
   * this while the delivery runs (so a slow delivery is never taken over) and releases it on
   * shutdown; only a crashed owner's claim lapses, and another worker then takes the item
   * over within about this long. Config: `thresholds.guardrails.outbox.claim_ttl_s`.
   */
  readonly claim_ttl_ms: number;
  /**
   * On stop, how long deliveries in flight get to finish before they are abandoned and their
   * claims released anyway (below a container runtime's stop timeout, 10 s by default).
   */
  readonly shutdown_grace_ms: number;
  /**
   * After a create timed out (the issue may exist), the retry waits at least
   * this long: Jira's search index can lag a fresh issue by seconds, and the
   * retry's idempotency lookup must see it.
   */
  readonly ambiguous_create_retry_min_ms: number;
  /** Delivered and folded items are kept this long: a re-enqueue of the same key within it is a no-op. */
  readonly retention_ms: number;
  /** Incidents listed by name in one storm summary; the rest are counted. */
  readonly summary_max_lines: number;
  /** Identifies this worker in claims (defaults to a random id per instance). */
  readonly worker_id?: string;
}

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

export const OUTBOX_DEFAULTS: Omit<
  OutboxOptions,
  'ticket_creates_per_window' | 'notifications_per_window'
> = {
  ticket_window_ms: HOUR_MS,
  notification_window_ms: MINUTE_MS,
  // One second: an alert waits at most that long after a restart; a scan is a few ms.
  poll_interval_ms: 1000,
  // 1 s → 5 min: rides out a vendor blip quickly, and a long outage at 12 calls an hour.
  backoff: { initial_delay_ms: 1000, max_delay_ms: 5 * MINUTE_MS },
  // ~30 attempts reach the 5 min cap after 9 and then span ~1.7 h: an outage longer than that
  // needs a human, and the parked item tells them.
  max_attempts: 30,
  // Renewed every 5 s while alive: a crashed owner's items are taken over within 15 s (it was
  // 2 min when claims were not renewed and had to outlast the slowest delivery).
  claim_ttl_ms: 15_000,
  // A Jira call times out after 10 s; 5 s lets most finish and leaves Docker's 10 s for the rest.
  shutdown_grace_ms: 5_000,
  // Jira's search index usually catches up with a new issue within a few seconds.
  ambiguous_create_retry_min_ms: 10_000,
  // A day: an incident re-detected the same day does not re-alert through the same key.
  retention_ms: 24 * HOUR_MS,
  // 40 lines of ~90 characters fit Discord's 4096-character description.
  summary_max_lines: 40,
};

/** Options from the guardrails config, with overrides (tests compress the windows). */
export function outboxOptions(
  rateLimits: Pick<RateLimitsConfig, 'jira_issues_per_hour' | 'discord_messages_per_minute'>,
  overrides: Partial<OutboxOptions> = {},
  outbox?: Pick<OutboxConfig, 'claim_ttl_s'>,
): OutboxOptions {
  const options: OutboxOptions = {
    ...OUTBOX_DEFAULTS,
    ticket_creates_per_window: rateLimits.jira_issues_per_hour,
    notifications_per_window: rateLimits.discord_messages_per_minute,
    ...(outbox !== undefined ? { claim_ttl_ms: outbox.claim_ttl_s * 1000 } : {}),
    ...overrides,
  };
  checkOptions(options);
  return options;
}

export function checkOptions(options: OutboxOptions): void {
  const positive: (keyof OutboxOptions)[] = [
    'ticket_creates_per_window',
    'ticket_window_ms',
    'notifications_per_window',
    'notification_window_ms',
    'poll_interval_ms',
    'max_attempts',
    'claim_ttl_ms',
    'shutdown_grace_ms',
    'retention_ms',
    'summary_max_lines',
  ];
  for (const name of positive) {
    const value = options[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`outbox: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
    }
  }
  for (const name of ['ticket_creates_per_window', 'notifications_per_window'] as const) {
    if (options[name] > OUTBOX_RATE_ENTRIES_MAX) {
      throw new Error(
        `outbox: ${name} must be at most ${OUTBOX_RATE_ENTRIES_MAX} (persisted timestamps per window)`,
      );
    }
  }
  if (options.claim_ttl_ms < 3) {
    // Renewed every third of the TTL: below 3 ms there is no third to wait.
    throw new Error(`outbox: claim_ttl_ms must be at least 3, got ${options.claim_ttl_ms}`);
  }
  if (options.retention_ms < Math.max(options.ticket_window_ms, options.notification_window_ms)) {
    throw new Error('outbox: retention_ms must cover the longest rate window');
  }
}
