import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type RunbookConfig } from '@opscrew/config';
import {
  type RemediationRunRecord,
  type RunStepRecord,
  RUN_STEPS_MAX,
  SUBJECTS,
  type Severity,
} from '@opscrew/contracts';
import { type KvRevisioned, type Lease, LeaseLostError } from '@opscrew/messaging';
import { screenText } from '@opscrew/guardrails';
import { type IncidentFacts, type ProposedAction } from '@opscrew/llm';
import {
  describeProposal,
  PROPOSABLE_ACTIONS,
  PROPOSAL_RUNBOOK,
  proposalRecord,
  proposalRunbook,
} from '../runbooks/proposal.runbook';
import { matchRunbook } from '../runbooks/runbook.matcher';
import { ACTIONS } from './actions/action.registry';
import { RESTART_LEASE_TTL_MS } from './actions/restart-service.action';
import { type StepContext, type StepOutcome } from './actions/runbook-action';
import { collectEvidence } from './evidence.collector';
import { type RemediationDeps } from './remediation.deps';
import { judgeSample } from './verification.judge';

/**
 * How long a replica owns a run it is driving. Every advance renews it; a
 * replica that died leaves the run to another after this.
 */
export const RUN_CLAIM_MS = 30_000;
/** Steps done in one advance before yielding: quick checks run back to back, waits end the turn. */
const MAX_STEPS_PER_ADVANCE = 20;
/** Renew the run's lease when less than this share of its TTL is left (the lease pattern: ~75 %). */
const LEASE_RENEW_AT_REMAINING = 0.25;
/**
 * A step that keeps erroring (the runtime or the bus unreachable) is retried
 * with backoff 2, 4, 8, 16 s; after 5 errors in a row (~30 s) the run stops
 * and a human is paged rather than looping at 3 a.m.
 */
const MAX_STEP_ERRORS = 5;
const ERROR_BACKOFF_BASE_MS = 2000;

/** Another replica moved the run on under us: drop this turn, the other one owns it. */
export class LostRunError extends Error {
  override readonly name = 'LostRunError';
}

export interface NewIncident {
  readonly incident_id: string;
  readonly service: string;
  readonly symptom: string;
  readonly severity: Severity;
}

/**
 * Drives remediation runs: a persisted state machine (queued → running ⇄
 * deferred → verifying → succeeded | failed) in the `remediations` bucket,
 * advanced by CAS, so one incident gets one run however many replicas or
 * redeliveries there are, and a resolver restarted mid-run resumes it.
 */
export class RemediationEngine {
  private readonly logger = new Logger(RemediationEngine.name);

  constructor(private readonly deps: RemediationDeps) {}

  /** A run for a new incident; false when one exists already (redelivery, another replica). */
  async enqueue(incident: NewIncident, attempt = 1, ticketKey?: string): Promise<boolean> {
    const now = this.deps.now().toISOString();
    const run = this.newRun(incident, attempt, now);
    const created = await this.deps.runs.create(
      ticketKey ? { ...run, ticket_key: ticketKey } : run,
    );
    return created !== null;
  }

  /**
   * The incident came back after the crew resolved it: run again, unless the
   * retry budget (`max_retries`) says a restart is not the cure — then escalate.
   */
  async reattempt(
    incidentId: string,
    reason: string,
  ): Promise<'queued' | 'escalated' | 'busy' | 'unknown'> {
    const current = await this.deps.runs.get(incidentId);
    if (!current) return 'unknown';
    const run = current.value;
    if (['queued', 'running', 'deferred', 'verifying'].includes(run.state)) return 'busy';
    const maxRetries = this.deps.config.thresholds.guardrails.remediation.max_retries;
    if (run.attempt >= maxRetries) {
      if (this.deps.mode === 'act') {
        await this.deps.escalation.escalateNow(
          incidentId,
          `${reason}; ${run.attempt} runbook run(s) already (max_retries ${maxRetries})`,
        );
      }
      return 'escalated';
    }
    const fresh = this.newRun(run, run.attempt + 1, this.deps.now().toISOString());
    const next = run.ticket_key ? { ...fresh, ticket_key: run.ticket_key } : fresh;
    return (await this.deps.runs.update(next, current.revision)) === null ? 'busy' : 'queued';
  }

  /** Works on one run as far as it can go now; never throws for a lost claim. */
  async advance(entry: KvRevisioned<RemediationRunRecord>): Promise<void> {
    const now = this.deps.now();
    const run = entry.value;
    if (run.owner !== this.deps.holder && Date.parse(run.owner_until) > now.getTime()) return;
    if (!(await this.due(run, now))) return;
    let revision = entry.revision;
    const context: StepContext = {
      deps: this.deps,
      run,
      save: async (next) => {
        const claimed: RemediationRunRecord = {
          ...next,
          owner: this.deps.holder,
          owner_until: new Date(this.deps.now().getTime() + RUN_CLAIM_MS).toISOString(),
          updated_at: this.deps.now().toISOString(),
        };
        const written = await this.deps.runs.update(claimed, revision);
        if (written === null)
          throw new LostRunError(`run ${run.incident_id} moved on in another replica`);
        revision = written;
        context.run = claimed;
      },
      caller: {
        agent: 'jira-resolver',
        reason: `${run.incident_id} (run ${run.run_id})`,
        incident_id: run.incident_id,
      },
    };
    try {
      await context.save(run); // claim
      await this.renewLease(context);
      for (let turn = 0; turn < MAX_STEPS_PER_ADVANCE; turn++) {
        const current = context.run;
        if (current.state !== 'deferred' && Date.parse(current.next_at) > this.deps.now().getTime())
          return;
        if (!(await this.step(context))) return;
      }
    } catch (error) {
      if (error instanceof LostRunError) {
        this.logger.debug(error.message);
        return;
      }
      await this.recordError(context, error);
    }
  }

  /** Backs off and retries a failing step; past the budget the run fails and escalates. */
  private async recordError(context: StepContext, error: unknown): Promise<void> {
    const message = (error as Error).message ?? String(error);
    const errors = (context.run.errors ?? 0) + 1;
    this.logger.warn(
      `${context.run.incident_id}: step failed (${errors}/${MAX_STEP_ERRORS}): ${message}`,
    );
    try {
      if (errors >= MAX_STEP_ERRORS) {
        await context.save({ ...context.run, errors, last_error: message.slice(0, 1900) });
        await this.fail(context, `gave up after ${errors} errors in a row: ${message}`);
        return;
      }
      const delay = ERROR_BACKOFF_BASE_MS * 2 ** (errors - 1);
      await context.save({
        ...context.run,
        errors,
        last_error: message.slice(0, 1900),
        next_at: new Date(this.deps.now().getTime() + delay).toISOString(),
      });
    } catch (inner) {
      if (!(inner instanceof LostRunError)) throw inner;
    }
  }

  /**
   * Whether the run has something to do now, decided without writing: a run
   * waiting out a timer or a lock costs one KV read per tick, not a write.
   */
  private async due(run: RemediationRunRecord, now: Date): Promise<boolean> {
    const hold = run.lease;
    if (
      hold &&
      Date.parse(hold.expires_at) - now.getTime() <= hold.ttl_ms * LEASE_RENEW_AT_REMAINING
    )
      return true;
    if (run.state === 'deferred' && run.deferred) {
      const lease = await this.deps.leases.current(`service.${run.service}`);
      return !lease || lease.holder !== run.deferred.holder;
    }
    return Date.parse(run.next_at) <= now.getTime();
  }

  /** One transition; false when the run now waits (or finished). */
  private async step(context: StepContext): Promise<boolean> {
    switch (context.run.state) {
      case 'queued':
        return this.triage(context);
      case 'running':
        return this.runStep(context);
      case 'deferred':
        return this.resume(context);
      case 'verifying':
        return this.verifyCheck(context);
      default:
        return false;
    }
  }

  private async triage(context: StepContext): Promise<boolean> {
    const { deps } = context;
    const run = context.run;
    const act = deps.mode === 'act';
    if (act) {
      await deps.escalation.open({
        incident_id: run.incident_id,
        service: run.service,
        symptom: run.symptom,
        severity: run.severity,
      });
      await deps.publisher.publish(
        SUBJECTS.incidentUpdated,
        {
          incident_id: run.incident_id,
          fingerprint: fingerprint(run),
          phase: 'triaged',
          note: `jira-resolver run ${run.run_id} (attempt ${run.attempt})`,
        },
        { id: `incident.updated.${run.incident_id}.triaged.${run.run_id}` },
      );
    }
    await deps.tickets.transition(
      run,
      'in_progress',
      run.run_id,
      `jira-resolver is on it (attempt ${run.attempt}, mode ${deps.mode}).`,
    );
    const evidence = await collectEvidence(deps.runtime, run.service, context.caller);
    await this.screenEvidence(context, evidence.text);
    const match = matchRunbook(run.symptom, evidence.text, deps.catalog.runbooks);
    const evidenceNote =
      [evidence.text, ...evidence.gaps.map((gap) => `(${gap})`)]
        .filter(Boolean)
        .join('\n')
        .slice(0, 1900) || 'none';
    if (!match) return this.triageWithoutRunbook(context, evidence.text, evidenceNote);
    await this.publishStarted(context, match.name);
    const runbook = deps.catalog.runbooks.patterns.get(match.name);
    if (
      runbook?.escalate_after_repeats !== undefined &&
      run.attempt >= runbook.escalate_after_repeats
    ) {
      await context.save({ ...run, runbook: match.name, evidence: evidenceNote });
      return this.fail(
        context,
        `${match.name} has run ${run.attempt} times for this incident (escalate_after_repeats ${runbook.escalate_after_repeats}): restarting is not the cure`,
      );
    }
    await context.save({
      ...run,
      state: 'running',
      runbook: match.name,
      evidence: evidenceNote,
      step_index: 0,
    });
    await deps.tickets.comment(
      run,
      `${run.run_id}:triage`,
      `Triage: runbook ${match.name} (${match.why}). Evidence: ${evidenceNote}`,
    );
    this.adviseOnTicket(context, evidence.text);
    return true;
  }

  /**
   * No runbook matches: one action from PROPOSABLE_ACTIONS, proposed by the
   * reasoning port (Claude, or rules without a key), may run instead of an
   * immediate escalation. The proposal is data: validated against the action
   * schemas here, then executed by the same action classes as a runbook step
   * (protected list, lock, fencing, cooldown, rate limit) and verified with
   * metrics. Nothing valid proposed, or the feature off: escalate.
   */
  private async triageWithoutRunbook(
    context: StepContext,
    evidenceText: string,
    evidenceNote: string,
  ): Promise<boolean> {
    const { deps } = context;
    const run = context.run;
    const noMatch = `no runbook matches symptom ${run.symptom} with the evidence seen`;
    const reasoning = deps.reasoning;
    if (!reasoning || !deps.config.thresholds.guardrails.remediation.propose_when_no_runbook) {
      await this.publishStarted(context, 'none');
      await context.save({ ...run, evidence: evidenceNote });
      await this.commentEvidence(context, `${noMatch}.`, evidenceNote);
      return this.fail(context, `${noMatch}: a human should look`);
    }
    const facts = (await deps.ledger.get(run.incident_id)) ?? this.factsOf(run);
    let proposed: ProposedAction | null;
    try {
      proposed = await reasoning.proposeAction(
        facts,
        [{ source: `runtime:${run.service}`, text: evidenceText }],
        PROPOSABLE_ACTIONS,
      );
    } catch (error) {
      // The reasoning port failing is no reason to wait: a human gets the incident now.
      proposed = null;
      this.logger.warn(`${run.incident_id}: no proposal: ${(error as Error).message}`);
    }
    const record = proposed ? proposalRecord(reasoning.kind, proposed) : undefined;
    const built = record ? proposalRunbook(record, run) : undefined;
    const refusal = built && !built.ok ? built.reason : undefined;
    await deps.audit.record({
      agent: 'jira-resolver',
      action: 'remediation.propose',
      verdict: built?.ok ? 'allowed' : 'refused',
      result: !record
        ? `${reasoning.kind} proposed nothing safe for ${run.service} (${run.symptom})`
        : refusal === undefined
          ? `${reasoning.kind} proposed ${describeProposal(record)} for ${run.service}: accepted, it meets the same checks as a runbook step`
          : `${reasoning.kind} proposed ${describeProposal(record)} for ${run.service}: refused (${refusal})`,
      input: { incident: run.incident_id, symptom: run.symptom, proposal: record ?? null },
      incident_id: run.incident_id,
    });
    if (!record || refusal !== undefined) {
      await this.publishStarted(context, 'none');
      await context.save({ ...run, evidence: evidenceNote });
      const why = !record
        ? `${reasoning.kind} proposed nothing safe`
        : `the ${reasoning.kind} proposal was refused: ${refusal}`;
      // The human who gets the page starts from what the crew saw.
      await this.commentEvidence(context, `${noMatch}, and ${why}.`, evidenceNote);
      return this.fail(context, `${noMatch}, and ${why}: a human should look`);
    }
    await this.publishStarted(context, PROPOSAL_RUNBOOK);
    await context.save({
      ...run,
      state: 'running',
      runbook: PROPOSAL_RUNBOOK,
      proposal: record,
      evidence: evidenceNote,
      step_index: 0,
    });
    await this.commentEvidence(
      context,
      `${noMatch}. ${reasoning.kind === 'anthropic' ? 'Claude' : 'The rules'} proposed ${describeProposal(record)}; ` +
        'it runs under the same guardrails as a runbook step and is verified with metrics.',
      evidenceNote,
    );
    this.adviseOnTicket(context, evidenceText);
    return true;
  }

  /** The triage comment: what was decided, then what was seen (the ticket's data, never obeyed). */
  private async commentEvidence(
    context: StepContext,
    decision: string,
    evidenceNote: string,
  ): Promise<void> {
    await context.deps.tickets.comment(
      context.run,
      `${context.run.run_id}:triage`,
      `Triage: ${decision} Evidence: ${evidenceNote}`,
    );
  }

  private factsOf(run: RemediationRunRecord): IncidentFacts {
    return {
      incident_id: run.incident_id,
      service: run.service,
      symptom: run.symptom,
      severity: run.severity,
      value: Number.NaN,
      detected_at: run.created_at,
    };
  }

  /**
   * The reasoning port's triage summary as one more ticket comment, off the
   * remediation's path: a model call must never delay a restart, and its
   * answer is advice for people — it decides nothing. Lost on a crash, which
   * costs a comment, not a fix.
   */
  private adviseOnTicket(context: StepContext, evidenceText: string): void {
    const { deps } = context;
    const reasoning = deps.reasoning;
    if (!reasoning) return;
    const run = context.run;
    void (async () => {
      const facts = (await deps.ledger.get(run.incident_id)) ?? this.factsOf(run);
      const summary = await reasoning.triageSummary(facts, [
        { source: `runtime:${run.service}`, text: evidenceText },
      ]);
      await deps.tickets.comment(
        run,
        `${run.run_id}:triage-summary`,
        `Triage summary (${reasoning.kind}): probable cause: ${summary.probable_cause}. ` +
          `What to check: ${summary.what_to_check.join('; ')}.`,
      );
    })().catch((error: unknown) => {
      this.logger.warn(
        `${run.incident_id}: no triage summary on the ticket: ${(error as Error).message}`,
      );
    });
  }

  /**
   * Logs are the watched system's words, and an attacker can write to them:
   * instruction-like text is recorded in the audit trail (where it came from,
   * what it looked like). Nothing else changes — the evidence is only ever
   * matched by code against runbook strings, never obeyed.
   */
  private async screenEvidence(context: StepContext, text: string): Promise<void> {
    const screened = screenText(text);
    if (!screened.flagged) return;
    const run = context.run;
    this.logger.warn(
      `${run.incident_id}: instruction-like text in ${run.service}'s logs (${screened.findings.join(', ')}): kept as data`,
    );
    await context.deps.audit.record({
      agent: 'jira-resolver',
      action: 'input.screened',
      verdict: 'allowed',
      result: `instruction-like text in the logs of ${run.service} (${screened.findings.join(', ')}): kept as data, not obeyed`,
      input: { incident: run.incident_id, evidence: text },
      incident_id: run.incident_id,
    });
  }

  private async runStep(context: StepContext): Promise<boolean> {
    const { deps } = context;
    const run = context.run;
    const runbook = this.runbookOf(run);
    if (!runbook)
      return this.fail(context, `runbook ${run.runbook ?? '?'} is no longer configured`);
    if (run.step_index >= runbook.actions.length) {
      if (run.verified || deps.mode === 'observe') return this.succeed(context);
      // Every fix is proven with metrics before the ticket closes, even if the runbook forgot to ask.
      return this.startVerification(context, undefined);
    }
    const executed = run.steps.filter((step) => step.result !== 'skipped').length;
    const limit = deps.config.thresholds.guardrails.remediation.max_auto_actions_per_run;
    if (executed >= limit)
      return this.fail(
        context,
        `max_auto_actions_per_run (${limit}) reached before the runbook finished`,
      );

    const step = runbook.actions[run.step_index];
    if (!step)
      return this.fail(context, `runbook ${run.runbook ?? '?'} has no step ${run.step_index}`);
    const outcome: StepOutcome = await ACTIONS[step.action].execute(context, step);
    switch (outcome.kind) {
      case 'done': {
        const record: RunStepRecord = {
          step: step.step,
          action: step.action,
          result: outcome.result,
          detail: outcome.detail.slice(0, 1900),
          at: deps.now().toISOString(),
        };
        await context.save({
          ...context.run,
          step_index: context.run.step_index + 1,
          steps: [...context.run.steps, record].slice(-RUN_STEPS_MAX),
          errors: 0,
        });
        await deps.audit.record({
          agent: 'jira-resolver',
          action: `remediation.${step.action}`,
          verdict: outcome.result === 'refused' ? 'refused' : 'allowed',
          result: `${outcome.result}: ${outcome.detail}`.slice(0, 1900),
          input: { incident: run.incident_id, step: step.step, action: step.action },
          incident_id: run.incident_id,
          ...(context.run.lease ? { revision: context.run.lease.revision } : {}),
        });
        await deps.tickets.comment(
          run,
          `${run.run_id}:step:${step.step}`,
          `Step ${step.step} ${step.action}: ${outcome.result} — ${outcome.detail}`,
        );
        return true;
      }
      case 'defer': {
        const first = context.run.deferred?.holder !== outcome.holder;
        await context.save({
          ...context.run,
          state: 'deferred',
          deferred: { holder: outcome.holder, until: outcome.until, reason: outcome.reason },
          next_at: outcome.until,
        });
        if (first) {
          this.logger.log(
            `${run.incident_id}: deferred, ${outcome.holder} holds ${run.service} until ${outcome.until}`,
          );
          // A decision not to act is on the trail too: the lock said no, nothing was touched.
          await deps.audit.record({
            agent: 'jira-resolver',
            action: `remediation.${step.action}`,
            verdict: 'refused',
            result: `deferred: ${outcome.holder} holds ${run.service} until ${outcome.until}`,
            input: { incident: run.incident_id, step: step.step, action: step.action },
            incident_id: run.incident_id,
          });
          await deps.tickets.comment(
            run,
            `${run.run_id}:deferred:${outcome.holder}`,
            `deferred: ${outcome.holder} holds ${run.service} until ${outcome.until}`,
          );
          await deps.publisher.publish(
            SUBJECTS.incidentUpdated,
            {
              incident_id: run.incident_id,
              fingerprint: fingerprint(run),
              note: `remediation deferred: ${outcome.holder} holds ${run.service} until ${outcome.until}`,
            },
            {
              id: `incident.updated.${run.incident_id}.deferred.${run.run_id}.${outcome.holder}`.replace(
                /[^A-Za-z0-9_.-]/g,
                '-',
              ),
            },
          );
        }
        return false;
      }
      case 'wait':
        await context.save({ ...context.run, next_at: outcome.at });
        if (context.run.state === 'verifying') {
          await deps.tickets.transition(
            run,
            'in_review',
            run.run_id,
            `Verifying with metrics: ${outcome.detail ?? ''}`.trim(),
          );
        }
        return false;
      case 'fail':
        return this.fail(context, outcome.detail);
    }
  }

  /** Reached only when `due` saw the lock free (or held by someone new): try the step again. */
  private async resume(context: StepContext): Promise<boolean> {
    const run = context.run;
    this.logger.log(`${run.incident_id}: ${run.service} is free again, resuming`);
    await context.save({ ...run, state: 'running', next_at: context.deps.now().toISOString() });
    return true;
  }

  private async startVerification(
    context: StepContext,
    stepIndex: number | undefined,
  ): Promise<boolean> {
    const { deps } = context;
    const now = deps.now();
    const waitS = deps.config.thresholds.verification.wait_after_restart_s;
    await context.save({
      ...context.run,
      state: 'verifying',
      verification: {
        started_at: now.toISOString(),
        checks: 0,
        passes_in_row: 0,
        failures: 0,
        ...(stepIndex !== undefined ? { step_index: stepIndex } : {}),
      },
      next_at: new Date(now.getTime() + waitS * 1000).toISOString(),
    });
    await deps.metrics.collect([context.run.service]).catch(() => undefined);
    await deps.tickets.transition(
      context.run,
      'in_review',
      context.run.run_id,
      `Verifying with metrics: first check in ${waitS} s`,
    );
    return false;
  }

  private async verifyCheck(context: StepContext): Promise<boolean> {
    const { deps } = context;
    const run = context.run;
    const progress = run.verification;
    if (!progress) return this.startVerification(context, undefined);
    const settings = deps.config.thresholds.verification;
    const snapshot = await deps.metrics.collect([run.service]);
    const sample = snapshot.samples.find((entry) => entry.service === run.service);
    const verdict = judgeSample(
      sample,
      settings.success_criteria,
      snapshot.missing.find((entry) => entry.service === run.service)?.reason,
    );
    const next = {
      ...progress,
      checks: progress.checks + 1,
      passes_in_row: verdict.pass ? progress.passes_in_row + 1 : 0,
      failures: verdict.pass ? progress.failures : progress.failures + 1,
      ...(sample?.error_rate_ratio != null
        ? { last_error_rate_ratio: sample.error_rate_ratio }
        : {}),
      ...(sample?.latency_p99_ms != null ? { last_latency_p99_ms: sample.latency_p99_ms } : {}),
    };
    this.logger.log(
      `${run.incident_id}: verification check ${next.checks}: ${verdict.pass ? 'pass' : 'fail'} — ${verdict.detail}`,
    );
    if (next.passes_in_row >= settings.success_criteria.consecutive_checks) {
      const stepIndex = progress.step_index;
      const record: RunStepRecord = {
        step: (stepIndex ?? run.step_index) + 1,
        action: 'verify_metrics',
        result: 'ok',
        detail: `${next.passes_in_row} passing checks in a row (${next.checks} in all): ${verdict.detail}`,
        at: deps.now().toISOString(),
      };
      await context.save({
        ...run,
        state: 'running',
        verified: true,
        verification: next,
        step_index: stepIndex !== undefined ? stepIndex + 1 : run.step_index,
        steps: [...run.steps, record].slice(-RUN_STEPS_MAX),
        next_at: deps.now().toISOString(),
      });
      return true;
    }
    if (next.failures >= settings.failure_budget_checks) {
      await context.save({ ...run, verification: next });
      return this.fail(
        context,
        `the fix did not hold: ${next.failures} failed checks (budget ${settings.failure_budget_checks}); last: ${verdict.detail}`,
      );
    }
    await context.save({
      ...run,
      verification: next,
      next_at: new Date(deps.now().getTime() + settings.check_interval_s * 1000).toISOString(),
    });
    return false;
  }

  private async succeed(context: StepContext): Promise<boolean> {
    const { deps } = context;
    const run = context.run;
    const progress = run.verification;
    const summary = progress
      ? `verified: ${progress.passes_in_row} passing checks (error rate ${pct(progress.last_error_rate_ratio)}, p99 ${progress.last_latency_p99_ms !== undefined ? `${Math.round(progress.last_latency_p99_ms)} ms` : 'n/a'})`
      : 'no verification (observe mode)';
    if (deps.mode === 'act') {
      await deps.publisher.publish(
        SUBJECTS.incidentUpdated,
        {
          incident_id: run.incident_id,
          fingerprint: fingerprint(run),
          phase: 'verified',
          note: summary,
        },
        { id: `incident.updated.${run.incident_id}.verified.${run.run_id}` },
      );
      await deps.publisher.publish(
        SUBJECTS.incidentResolved,
        {
          incident_id: run.incident_id,
          resolved_by: 'jira-resolver',
          note: `runbook ${run.runbook ?? '?'}: ${summary}`,
          ...(progress
            ? {
                verification: {
                  checks: progress.passes_in_row,
                  ...(progress.last_error_rate_ratio !== undefined
                    ? { error_rate_ratio: progress.last_error_rate_ratio }
                    : {}),
                  ...(progress.last_latency_p99_ms !== undefined
                    ? { latency_p99_ms: progress.last_latency_p99_ms }
                    : {}),
                },
              }
            : {}),
        },
        { id: `incident.resolved.${run.incident_id}.${run.run_id}` },
      );
      await deps.escalation.close(run.incident_id, 'resolved', 'jira-resolver', summary);
    }
    await deps.tickets.transition(
      run,
      'done',
      run.run_id,
      `Resolved by runbook ${run.runbook ?? '?'}: ${summary}`,
    );
    await this.finish(context, deps.mode === 'act' ? 'succeeded' : 'skipped', summary);
    return false;
  }

  private async fail(context: StepContext, reason: string): Promise<boolean> {
    const { deps } = context;
    const run = context.run;
    this.logger.warn(
      `${run.incident_id}: remediation ${deps.mode === 'act' ? 'failed, escalating' : 'would fail (observe)'}: ${reason}`,
    );
    await deps.tickets.comment(
      run,
      `${run.run_id}:failed`,
      `Remediation stopped: ${reason}. Escalating to a human.`,
    );
    if (deps.mode === 'act') await deps.escalation.escalateNow(run.incident_id, reason);
    await this.finish(context, deps.mode === 'act' ? 'escalated' : 'skipped', reason);
    return false;
  }

  private async finish(
    context: StepContext,
    outcome: 'succeeded' | 'escalated' | 'skipped',
    note: string,
  ): Promise<void> {
    const { deps } = context;
    const run = context.run;
    await this.releaseLease(context);
    await context.save({
      ...context.run,
      state: outcome === 'succeeded' ? 'succeeded' : outcome === 'skipped' ? 'skipped' : 'failed',
      outcome: note.slice(0, 1900),
      lease: undefined,
      deferred: undefined,
    });
    await deps.publisher.publish(
      SUBJECTS.remediationFinished,
      {
        incident_id: run.incident_id,
        run_id: run.run_id,
        service: run.service,
        runbook: run.runbook ?? 'none',
        mode: deps.mode,
        outcome,
        steps: run.steps.map((step) => ({
          action: step.action,
          result: step.result,
          detail: step.detail.slice(0, 500),
        })),
      },
      { id: `remediation.finished.${run.incident_id}.${run.run_id}` },
    );
    this.logger.log(`${run.incident_id}: remediation ${outcome} — ${note}`);
  }

  private async publishStarted(context: StepContext, runbook: string): Promise<void> {
    const run = context.run;
    await context.deps.publisher.publish(
      SUBJECTS.remediationStarted,
      {
        incident_id: run.incident_id,
        run_id: run.run_id,
        service: run.service,
        runbook,
        mode: context.deps.mode,
      },
      { id: `remediation.started.${run.incident_id}.${run.run_id}` },
    );
  }

  /** Keeps the run's lease alive while it works; a lost lease stops the run (the lease pattern). */
  private async renewLease(context: StepContext): Promise<void> {
    const hold = context.run.lease;
    if (!hold) return;
    const remaining = Date.parse(hold.expires_at) - context.deps.now().getTime();
    if (remaining > hold.ttl_ms * LEASE_RENEW_AT_REMAINING) return;
    try {
      const renewed = await context.deps.leases.renew(
        toLease(hold, context.run.incident_id),
        RESTART_LEASE_TTL_MS,
      );
      await context.save({
        ...context.run,
        lease: { ...hold, revision: renewed.revision, expires_at: renewed.expires_at },
      });
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      await context.save({ ...context.run, lease: undefined });
      await this.fail(
        context,
        `lost the lock on ${context.run.service} (it expired and was taken): stopped acting`,
      );
    }
  }

  private async releaseLease(context: StepContext): Promise<void> {
    const hold = context.run.lease;
    if (!hold) return;
    const released = await context.deps.leases.release(toLease(hold, context.run.incident_id));
    if (released) {
      await context.deps.publisher.publish(SUBJECTS.lockReleased, {
        service: context.run.service,
        holder: hold.holder,
        revision: hold.revision,
        reason: 'released',
      });
    }
  }

  private runbookOf(run: RemediationRunRecord): RunbookConfig | undefined {
    if (run.runbook === PROPOSAL_RUNBOOK && run.proposal) {
      // Re-validated on every step: the record in the bucket is never trusted on its own.
      const built = proposalRunbook(run.proposal, run);
      return built.ok ? built.runbook : undefined;
    }
    return run.runbook ? this.deps.catalog.runbooks.patterns.get(run.runbook) : undefined;
  }

  private newRun(incident: NewIncident, attempt: number, now: string): RemediationRunRecord {
    return {
      incident_id: incident.incident_id,
      run_id: randomUUID().slice(0, 8),
      attempt,
      service: incident.service,
      symptom: incident.symptom,
      severity: incident.severity,
      mode: this.deps.mode,
      state: 'queued',
      runbook: null,
      step_index: 0,
      steps: [],
      evidence: 'not collected yet',
      owner: 'none',
      owner_until: now,
      created_at: now,
      updated_at: now,
      next_at: now,
    };
  }
}

function fingerprint(run: RemediationRunRecord): string {
  return `${run.service}:${run.symptom}`;
}

function pct(ratio: number | undefined): string {
  return ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(2)} %`;
}

function toLease(hold: NonNullable<RemediationRunRecord['lease']>, incidentId: string): Lease {
  return {
    key: hold.key,
    holder: hold.holder,
    revision: hold.revision,
    acquired_at: hold.acquired_at,
    expires_at: hold.expires_at,
    ttl_ms: hold.ttl_ms,
    reason: `restart for ${incidentId}`,
  };
}
