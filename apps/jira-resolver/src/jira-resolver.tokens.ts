/** Injection tokens of jira-resolver's ports and use-cases. */
export const OUTBOX = Symbol('OUTBOX');
export const ESCALATION = Symbol('ESCALATION');
export const CATALOG = Symbol('CATALOG');
/** `agents.jira-resolver.mode === 'observe'`: decisions recorded, nothing enqueued or run. */
export const OBSERVE_MODE = Symbol('OBSERVE_MODE');
/** `() => number` (epoch ms) a test module may provide; absent (as in the app), the system clock. */
export const EPOCH_CLOCK = Symbol('EPOCH_CLOCK');
/** The ManualRestart use case behind `command.restart` (a human's /restart). */
export const MANUAL_RESTART = Symbol('MANUAL_RESTART');
/** This replica's lease holder name (`jira-resolver-<host>-<pid>-<random>`), shared by its runs and commands. */
export const REPLICA_HOLDER = Symbol('REPLICA_HOLDER');
