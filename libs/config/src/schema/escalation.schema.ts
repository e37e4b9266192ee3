import { Minutes, Nested, OneOf, Str } from './validators';

export class EscalationLevelConfig {
  @Str({ maxLength: 500 }) description!: string;
  /** L1 is the crew itself; L2/L3 mention a person or role through the notifier. */
  @OneOf(['jira-resolver', 'discord_mention']) handler!: 'jira-resolver' | 'discord_mention';
  /** Display name of who is paged (`@oncall-engineer`); Discord role ids live in the Discord integration. */
  @Str({ optional: true, pattern: /^@[A-Za-z0-9_.-]+$/, hint: 'must look like @role-name' })
  mention?: string;
  /** Time at this level without an ack before moving to the next one. */
  @Minutes() timeout_minutes!: number;
}

export class EscalationLevelsConfig {
  @Nested(() => EscalationLevelConfig) L1!: EscalationLevelConfig;
  @Nested(() => EscalationLevelConfig) L2!: EscalationLevelConfig;
  @Nested(() => EscalationLevelConfig) L3!: EscalationLevelConfig;
}

export class EscalationConfig {
  @Nested(() => EscalationLevelsConfig) levels!: EscalationLevelsConfig;
}
