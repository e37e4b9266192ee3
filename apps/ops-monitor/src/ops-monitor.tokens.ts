/** Injection tokens of ops-monitor's ports and use-cases. */
export const OUTBOX = Symbol('OUTBOX');
export const BREAKERS = Symbol('BREAKERS');
export const MONITOR_CYCLE = Symbol('MONITOR_CYCLE');
export const METRICS_COLLECTOR = Symbol('METRICS_COLLECTOR');
