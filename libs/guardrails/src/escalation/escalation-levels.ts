import { type EscalationConfig } from '@opscrew/config';
import { ESCALATION_LEVELS, type EscalationLevel } from '@opscrew/contracts';

const MINUTE_MS = 60 * 1000;

/** The level after `level`, or null at the last one. */
export function nextLevel(level: EscalationLevel): EscalationLevel | null {
  const index = ESCALATION_LEVELS.indexOf(level);
  return ESCALATION_LEVELS[index + 1] ?? null;
}

/** A level's timeout in ms (fractional minutes allowed: tests compress the chain). */
export function levelTimeoutMs(config: EscalationConfig, level: EscalationLevel): number {
  return Math.round(config.levels[level].timeout_minutes * MINUTE_MS);
}

/** A level that wakes a person (rather than the crew working on its own). */
export function isHumanLevel(config: EscalationConfig, level: EscalationLevel): boolean {
  return config.levels[level].handler !== 'jira-resolver';
}

/** The first level that pages a person: where the ticket moves to `escalated`. */
export function firstHumanLevel(config: EscalationConfig): EscalationLevel | null {
  return ESCALATION_LEVELS.find((level) => isHumanLevel(config, level)) ?? null;
}

/** The notifier's role name for a level's mention (`@oncall-engineer` → `oncall-engineer`). */
export function mentionRole(config: EscalationConfig, level: EscalationLevel): string | null {
  const mention = config.levels[level].mention;
  if (mention === undefined) return null;
  const role = mention.startsWith('@') ? mention.slice(1) : mention;
  return role.length > 0 ? role : null;
}
