import { selectRunbook } from '@opscrew/incident';
import { ACTIONS } from './actions/action.registry';
import { type ActionPorts } from './actions/runbook-action';
import { type RemediationDeps } from './remediation.deps';
import { RemediationEngine } from './remediation.engine';
import { RunClaims } from './run/run-claims';
import { RunLease } from './run/run-lease';
import { StepBackoff } from './run/step-backoff';
import { ExecuteStep } from './use-cases/execute-step/execute-step.usecase';
import { OpenRun } from './use-cases/open-run/open-run.usecase';
import { ProposeFix } from './use-cases/propose-fix/propose-fix.usecase';
import { ResolveOrEscalate } from './use-cases/resolve-or-escalate/resolve-or-escalate.usecase';
import { TriageAdvice } from './use-cases/triage-incident/triage-advice';
import { TriageIncident } from './use-cases/triage-incident/triage-incident.usecase';
import { VerifyFix } from './use-cases/verify-fix/verify-fix.usecase';

/**
 * The composition root of a remediation run: the one place that sees every port, and hands
 * each use case only its own. The module's factory and the integration specs call this.
 */
export function composeRemediation(deps: RemediationDeps): RemediationEngine {
  const { config, catalog, tickets, escalation, publisher, ledger, audit, mode, now } = deps;
  const remediation = config.thresholds.guardrails.remediation;
  const lease = new RunLease({ leases: deps.leases, publisher, now });
  const advice = new TriageAdvice({
    ...(deps.reasoning ? { reasoning: deps.reasoning } : {}),
    ledger,
    tickets,
  });
  const actionPorts: ActionPorts = {
    config,
    runtime: deps.runtime,
    metrics: deps.metrics,
    leases: deps.leases,
    runs: deps.runs,
    publisher,
    ledger,
    audit,
    now,
    holder: deps.holder,
    ...(deps.silences ? { silences: deps.silences } : {}),
  };
  return new RemediationEngine({
    claims: new RunClaims({ runs: deps.runs, leases: deps.leases, now, holder: deps.holder }),
    lease,
    backoff: new StepBackoff({ now }),
    openRun: new OpenRun({
      runs: deps.runs,
      escalation,
      tickets,
      maxRetries: remediation.max_retries,
      mode,
      now,
    }),
    triage: new TriageIncident({
      escalation,
      publisher,
      tickets,
      runtime: deps.runtime,
      // The one call of the runbook selector: swapping it is this line.
      selectRunbook: (symptom, evidence) => selectRunbook(symptom, evidence, catalog.runbooks),
      catalog,
      ledger,
      audit,
      advice,
      proposeFix: new ProposeFix({
        ...(deps.reasoning ? { reasoning: deps.reasoning } : {}),
        enabled: remediation.propose_when_no_runbook,
        advice,
        audit,
        tickets,
        publisher,
        mode,
      }),
      mode,
    }),
    executeStep: new ExecuteStep({
      actions: ACTIONS,
      actionPorts,
      catalog,
      tickets,
      escalation,
      audit,
      publisher,
      maxAutoActions: remediation.max_auto_actions_per_run,
      verification: config.thresholds.verification,
      mode,
      now,
    }),
    verifyFix: new VerifyFix({
      metrics: deps.metrics,
      verification: config.thresholds.verification,
      now,
    }),
    resolveOrEscalate: new ResolveOrEscalate({ tickets, escalation, publisher, lease, mode }),
    now,
  });
}
