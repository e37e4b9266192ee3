// The ports layer: the interfaces adapters implement and the guardrails (outbox,
// escalation, sandboxed runtime) call, with the small values and errors that cross
// them. It sits between contracts and every lib that implements or uses a port, so
// neither side imports the other (issue 14: layers enforced by eslint.config.mjs).
export * from './audit.port';
export * from './delivery.error';
export * from './idempotency-key';
export * from './metrics-guards.port';
export * from './notifier.port';
export * from './tracker.port';
export * from './truncate';
