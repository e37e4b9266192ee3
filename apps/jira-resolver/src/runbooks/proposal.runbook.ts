import {
  formatPath,
  RunbookConfig,
  type RunbookActionName,
  SYMPTOMS,
  validateConfigPart,
} from '@opscrew/config';
import { type ProposalRecord, type Proposer } from '@opscrew/contracts';
import { type AllowedAction, type ProposedAction } from '@opscrew/llm';

/** The `runbook` name a run carries when it executes a proposal instead of a configured runbook. */
export const PROPOSAL_RUNBOOK = 'proposed_action';

/**
 * What may be proposed when no runbook matches: actions that only read, and a
 * restart of the incident's own service. There is no `service` parameter on
 * purpose — the target is the incident's service, never the model's choice —
 * and nothing that changes configuration (`increase_memory_limit`) or runs a
 * command. Everything proposed then meets the same checks as a runbook step:
 * the restart action's protected list, lock, fencing, cooldown and rate limit.
 */
export const PROPOSABLE_ACTIONS: readonly AllowedAction[] = [
  {
    action: 'restart_service',
    description:
      "restart the incident's own service (then the fix is verified with metrics); for faults a restart clears: leaks, stuck pools, creeping latency",
    params: {
      condition:
        'optional: always (default) | if_unhealthy (only when the runtime reports it unhealthy or exited) | if_resource_pressure (only after check_resources saw OOM or memory pressure)',
    },
  },
  {
    action: 'check_logs',
    description: "read the service's recent logs into the ticket (changes nothing)",
    params: {},
  },
  {
    action: 'check_resources',
    description: "read the container's state: OOM kill, exit code, health (changes nothing)",
    params: {},
  },
  {
    action: 'check_dependencies',
    description: "check the health of the service's dependencies (changes nothing)",
    params: {},
  },
];

export type ProposalRunbookResult =
  | { readonly ok: true; readonly runbook: RunbookConfig }
  | { readonly ok: false; readonly reason: string };

/** The proposal as the run record keeps it. */
export function proposalRecord(by: Proposer, proposal: ProposedAction): ProposalRecord {
  return {
    by,
    action: proposal.action,
    params: Object.entries(proposal.params).map(([name, value]) => ({ name, value })),
  };
}

/**
 * Builds the one-step runbook a proposal stands for and validates it with the
 * very schema `opscrew config check` applies to runbooks.json5 — an action
 * outside PROPOSABLE_ACTIONS, an unknown parameter or a bad value is refused
 * with the reason, and the incident escalates. Called again on every step, so
 * the record in the bucket is never trusted on its own.
 */
export function proposalRunbook(
  proposal: ProposalRecord,
  incident: { readonly symptom: string; readonly severity: string },
): ProposalRunbookResult {
  const spec = PROPOSABLE_ACTIONS.find((allowed) => allowed.action === proposal.action);
  if (spec === undefined) {
    return {
      ok: false,
      reason: `"${proposal.action}" is not among the actions a proposal may take (${PROPOSABLE_ACTIONS.map((a) => a.action).join(', ')})`,
    };
  }
  const known = Object.keys(spec.params ?? {});
  const step: Record<string, unknown> = { step: 1, action: proposal.action };
  for (const { name, value } of proposal.params) {
    if (!known.includes(name)) {
      return { ok: false, reason: `${proposal.action} takes no parameter "${name}"` };
    }
    step[name] = value;
  }
  const symptoms = (SYMPTOMS as readonly string[]).includes(incident.symptom)
    ? [incident.symptom]
    : [];
  const plain = {
    description: `${proposal.action}, proposed by ${proposal.by} when no runbook matched`,
    severity: incident.severity,
    match: { symptoms },
    actions: [step],
  };
  const { value, issues } = validateConfigPart(RunbookConfig, plain, 'a proposed runbook');
  if (issues.length > 0) {
    return {
      ok: false,
      reason: issues
        .map((issue) => `${formatPath(issue.segments) || '(root)'}: ${issue.message}`)
        .join('; '),
    };
  }
  const action: RunbookActionName | undefined = value.actions[0]?.action;
  if (action !== proposal.action) {
    return { ok: false, reason: `the proposed step did not validate as ${proposal.action}` };
  }
  return { ok: true, runbook: value };
}

/** One line for the ticket and the audit: `restart_service (condition if_unhealthy)`. */
export function describeProposal(proposal: ProposalRecord): string {
  const params = proposal.params.map(({ name, value }) => `${name} ${value}`).join(', ');
  return params ? `${proposal.action} (${params})` : proposal.action;
}
