/** Injection tokens of jira-resolver's ports and use-cases. */
export const OUTBOX = Symbol('OUTBOX');
export const ESCALATION = Symbol('ESCALATION');
export const CATALOG = Symbol('CATALOG');
