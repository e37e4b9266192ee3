import { ESCALATION_LEVELS, type EscalationLevel } from '@opscrew/contracts';

/** One level of the chain (config `thresholds.escalation.levels.<level>`). */
export interface EscalationLevelRule {
  readonly description: string;
  /** `jira-resolver`: the crew works on its own; anything else pages a person. */
  readonly handler: string;
  /** Who is paged (`@oncall-engineer`). */
  readonly mention?: string | undefined;
  /** Time at this level without an ack before the next one. */
  readonly timeout_minutes: number;
}

/**
 * What the escalation rules read of the configuration: libs/config's EscalationConfig satisfies
 * it as it is, so the domain needs no config loader.
 */
export interface EscalationChain {
  readonly levels: { readonly [L in EscalationLevel]: EscalationLevelRule };
}

const MINUTE_MS = 60 * 1000;

/** The level after `level`, or null at the last one. */
export function nextLevel(level: EscalationLevel): EscalationLevel | null {
  const index = ESCALATION_LEVELS.indexOf(level);
  return ESCALATION_LEVELS[index + 1] ?? null;
}

/** A level's timeout in ms (fractional minutes allowed: tests compress the chain). */
export function levelTimeoutMs(config: EscalationChain, level: EscalationLevel): number {
  return Math.round(config.levels[level].timeout_minutes * MINUTE_MS);
}

/** A level that wakes a person (rather than the crew working on its own). */
export function isHumanLevel(config: EscalationChain, level: EscalationLevel): boolean {
  return config.levels[level].handler !== 'jira-resolver';
}

/** The first level that pages a person: where the ticket moves to `escalated`. */
export function firstHumanLevel(config: EscalationChain): EscalationLevel | null {
  return ESCALATION_LEVELS.find((level) => isHumanLevel(config, level)) ?? null;
}

/** The notifier's role name for a level's mention (`@oncall-engineer` → `oncall-engineer`). */
export function mentionRole(config: EscalationChain, level: EscalationLevel): string | null {
  const mention = config.levels[level].mention;
  if (mention === undefined) return null;
  const role = mention.startsWith('@') ? mention.slice(1) : mention;
  return role.length > 0 ? role : null;
}
