// The incident domain (issue 14 item 2): the views of the one incident model (the ledger's
// IncidentRecord) and its rules with no I/O — its phases
// and transitions, how ids and keys are written, the brief a new incident is announced with,
// the one runbook selector, and the escalation steps. KV, the bus, files and the network stay
// in the libs above (messaging, guardrails, integrations), which call these; lint keeps I/O
// modules out of here (scripts/lint/layers.js PURE_LIBS).
export * from './model/incident-model';
export * from './lifecycle/incident-lifecycle';
export * from './ids/incident-id';
export * from './keys/incident-keys';
export * from './runbooks/runbook.selector';
export * from './brief/incident-brief';
export * from './brief/incident-brief.renderers';
export * from './escalation/escalation-levels';
export * from './escalation/escalation.transitions';
export * from './slo/slo-policy';
export * from './slo/slo-math';
export * from './slo/slo-ledger';
export * from './slo/slo-status';
