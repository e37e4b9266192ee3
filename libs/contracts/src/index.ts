export * from './subjects';
export * from './kv-buckets';
export * from './heartbeat-keys';
export * from './events/event-envelope';
export * from './events/field-limits';
export * from './events/incident.events';
export * from './events/remediation.events';
export * from './events/lock.events';
export * from './events/scenario.events';
export * from './events/agent.events';
export * from './events/report.event';
export * from './events/dead-letter.event';
export * from './events/audit.event';
export * from './events/command.events';
export * from './records/lease.record';
export * from './records/leader.record';
export * from './event-registry';
export * from './event-validation.error';
export * from './error-message';
export {
  validatePlain,
  formatValidationErrors,
  type ClassType,
  type Validated,
} from './validation/validate-plain';
export { checkPlain, validateCompiled } from './validation/compiled-check';
export * from './validation/field.validators';
export * from './validation/value-rule';
export * from './records/heartbeat.record';
export * from './records/agent-restarts.record';
export * from './records/incident.record';
export * from './records/fingerprint.record';
export * from './records/capacity-history.record';
export * from './records/ticket.record';
export * from './records/outbox-item.record';
export * from './records/accuracy-feedback.record';
export * from './records/remediation-run.record';
export * from './records/escalation.record';
export * from './records/scenario-run.record';
export * from './records/scenario-score.record';
export * from './records/scorecard.record';
export * from './records/crew-outcome-counts';
export * from './records/correlation';
export * from './records/incident-shape';
export * from './records/silence.record';
export * from './records/command-run.record';
export * from './text/invisible-characters';
export * from './text/secret-scrubber';
export * from './text/secret-registry';
export * from './text/shannon-entropy';
