import { type AgentName } from '@opscrew/contracts';

export interface EscalationOptions {
  /** Who the audit entries name: the agent that owns the chain. */
  readonly agent: AgentName;
  /**
   * How long the replica that entered a level owns its side effects (the
   * pending marker). Past it, any replica takes the marker over and performs
   * them again: the owner crashed or its attempt failed.
   */
  readonly pending_claim_ms: number;
}

export const ESCALATION_DEFAULTS: EscalationOptions = {
  agent: 'jira-resolver',
  // A level's side effects are one publish (≤ ~4 s of retries) and a few KV writes:
  // 30 s is many times that, and a crashed replica's page goes out at most ~30 s late.
  pending_claim_ms: 30_000,
};

/**
 * How often jira-resolver looks for due deadlines: a page goes out at most this
 * late, and a tick is one KV read per escalation record.
 */
export const ESCALATION_TICK_INTERVAL_MS = 5_000;

export function escalationOptions(overrides: Partial<EscalationOptions> = {}): EscalationOptions {
  const options = { ...ESCALATION_DEFAULTS, ...overrides };
  if (!Number.isFinite(options.pending_claim_ms) || options.pending_claim_ms <= 0) {
    throw new Error(
      `escalation: pending_claim_ms must be a positive number of ms, got ${options.pending_claim_ms}`,
    );
  }
  return options;
}
