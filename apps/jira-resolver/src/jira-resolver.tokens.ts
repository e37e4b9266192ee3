/** Injection tokens of jira-resolver's ports and use-cases. */
export const OUTBOX = Symbol('OUTBOX');
export const ESCALATION = Symbol('ESCALATION');
export const CATALOG = Symbol('CATALOG');
/** `agents.jira-resolver.mode === 'observe'`: decisions recorded, nothing enqueued or run. */
export const OBSERVE_MODE = Symbol('OBSERVE_MODE');
/** `() => number` (epoch ms) a test module may provide; absent (as in the app), the system clock. */
export const EPOCH_CLOCK = Symbol('EPOCH_CLOCK');
