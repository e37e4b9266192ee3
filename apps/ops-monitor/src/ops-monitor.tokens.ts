/** Injection tokens of ops-monitor's ports and use-cases. */
export const OUTBOX = Symbol('OUTBOX');
export const MONITOR_CYCLE = Symbol('MONITOR_CYCLE');
export const METRICS_COLLECTOR = Symbol('METRICS_COLLECTOR');
export const REPORT_INTAKE = Symbol('REPORT_INTAKE');
export const ALERTMANAGER_INTAKE = Symbol('ALERTMANAGER_INTAKE');
export const LOCKED_SERVICES = Symbol('LOCKED_SERVICES');
