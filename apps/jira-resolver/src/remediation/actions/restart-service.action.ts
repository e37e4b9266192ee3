import { type RestartServiceStep } from '@opscrew/config';
import { serviceLockKey, SUBJECTS } from '@opscrew/contracts';
import { enginePhase, fingerprintKey } from '@opscrew/incident';
import { RuntimeRefusedError } from '@opscrew/integrations';
import { judgeSample } from '../verification.judge';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * The run's lease on its service: short, renewed by the worker while the run
 * restarts and verifies, so a resolver that dies frees the service within a
 * minute (a load test may then take it) instead of blocking it for the whole
 * verification budget.
 */
export const RESTART_LEASE_TTL_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * `restart_service`, the one mutating step. Before acting: the step's
 * condition, the cooldown since the crew's last restart of this service, the
 * restarts-per-hour budget, and the service's exclusive lease (a load test
 * holds the same key: then the run defers and says so). The restart is
 * two-phase: an `intent` mark with the lease revision is persisted first, so a
 * resolver killed mid-way finds it on restart and asks the runtime whether the
 * restart already happened — never restarting twice. The runtime refuses a
 * stale revision (fencing): a resolver that lost its lease cannot act.
 */
export class RestartServiceAction implements RunbookAction<RestartServiceStep> {
  async execute(context: StepContext, step: RestartServiceStep): Promise<StepOutcome> {
    const { deps, caller } = context;
    const run = context.run;
    const service = run.service;
    if (run.restart?.state === 'done')
      return done(
        'ok',
        `already restarted at ${run.restart.started_after ?? run.restart.intent_at}`,
      );

    if (run.restart?.state === 'intent') {
      // Resuming after a crash between "about to restart" and "restarted".
      const state = await deps.runtime.inspect(service, caller).catch(() => null);
      const started = state?.started_at ?? null;
      if (
        started &&
        (run.restart.started_before === null ||
          Date.parse(started) > Date.parse(run.restart.started_before))
      ) {
        await this.finish(context, started, 'confirmed after a resolver restart');
        return done(
          'ok',
          `${service} was restarted at ${started} before this resolver restarted; not restarting it again`,
        );
      }
    } else {
      if (run.deferred?.kind === 'guard') {
        // A guard made us wait: the fault may have passed meanwhile, and a restart then only hurts.
        const gone = await this.faultGone(context);
        if (gone) return done('skipped', gone);
      }
      const skip = await this.conditionUnmet(context, step);
      if (skip) return done('skipped', skip);
      const guard = await this.guarded(context);
      if (guard) return guard;
    }

    const lease = await this.holdLease(context);
    if ('holder' in lease) return lease;

    const before =
      run.restart?.state === 'intent'
        ? run.restart.started_before
        : ((await deps.runtime.inspect(service, caller).catch(() => null))?.started_at ?? null);
    const intentAt =
      run.restart?.state === 'intent' ? run.restart.intent_at : deps.now().toISOString();
    await context.save({
      ...context.run,
      restart: {
        state: 'intent',
        intent_at: intentAt,
        revision: lease.revision,
        started_before: before,
      },
    });
    try {
      const outcome = await deps.runtime.restart(
        service,
        { key: lease.key, revision: lease.revision },
        caller,
      );
      if (outcome.dry_run)
        return done(
          'skipped',
          `observe mode: would restart ${service} (lease ${lease.key} at revision ${lease.revision})`,
        );
      await this.finish(context, outcome.started_at ?? deps.now().toISOString(), 'restarted');
      return done(
        'ok',
        `restarted ${service} under lease ${lease.key} revision ${lease.revision}; new instance started ${outcome.started_at ?? 'now'}`,
      );
    } catch (error) {
      if (error instanceof RuntimeRefusedError)
        return { kind: 'fail', detail: `restart refused: ${error.reason}` };
      throw error;
    }
  }

  private async conditionUnmet(
    context: StepContext,
    step: RestartServiceStep,
  ): Promise<string | null> {
    const { deps, run, caller } = context;
    // Whatever the condition: when a service this one calls is in trouble, the restart belongs
    // to that service's incident; restarting its caller only adds an outage.
    if (run.dependency_trouble)
      return `a dependency is in trouble (${run.dependency_trouble}): restarting ${run.service} would not fix it`;
    if (step.condition === 'if_resource_pressure' && !run.resource_pressure) {
      return 'no resource pressure found: a restart would not help (condition if_resource_pressure)';
    }
    if (step.condition === 'if_unhealthy') {
      const state = await deps.runtime.inspect(run.service, caller).catch(() => null);
      if (state && state.running && state.health !== 'unhealthy')
        return `${run.service} is running and not unhealthy (condition if_unhealthy)`;
    }
    return null;
  }

  /**
   * A guardrail that says "not now": the service was restarted by the crew within the cooldown
   * (restart loops hide the cause), or the crew's restarts-per-hour budget is spent (a systemic
   * problem). The run waits until the guard would allow it — never counted as a failed fix; if
   * the fault outlives the wait, the escalation deadline pages a human. (A protected service is
   * not a "not now" but a "never": the runtime policy refuses it and the run escalates at once,
   * because no fix the crew may apply exists.) A silenced service (/silence) waits for its
   * maintenance window to end the same way.
   */
  private async guarded(context: StepContext): Promise<StepOutcome | null> {
    const { deps, run } = context;
    const limits = deps.config.thresholds.guardrails;
    const now = deps.now().getTime();
    // A maintenance window (/silence): the humans are working on the service, so the crew does
    // not restart it on its own. The step waits for the window's end (the deferral is audited)
    // and then looks again: the fault may be gone by then (faultGone) or still there.
    const silence = await deps.silences?.isSilenced(run.service, deps.now());
    if (silence) {
      return {
        kind: 'defer',
        deferral: 'guard',
        holder: 'silence',
        until: silence.until,
        reason: `${run.service} is silenced until ${silence.until} by ${silence.by.name} (${silence.by.via})${silence.reason ? `: ${silence.reason}` : ''} — no automatic restart during a maintenance window`,
      };
    }
    const defer = (holder: string, untilMs: number, reason: string, page = false): StepOutcome => ({
      kind: 'defer',
      deferral: 'guard',
      holder,
      until: new Date(untilMs).toISOString(),
      reason,
      ...(page ? { page } : {}),
    });
    const last = await deps.runs.lastRestart(run.service);
    if (last) {
      const ago = now - Date.parse(last.value.at);
      const cooldownMs = limits.remediation.restart_cooldown_s * 1000;
      if (ago < cooldownMs) {
        return defer(
          'cooldown',
          Date.parse(last.value.at) + cooldownMs,
          `${run.service} was restarted ${Math.round(ago / 1000)} s ago (for ${last.value.incident_id}); cooldown is ${limits.remediation.restart_cooldown_s} s — restart loops hide the cause`,
        );
      }
    }
    const recent = await deps.runs.restartsSince(now - HOUR_MS);
    if (recent.length >= limits.rate_limits.restarts_per_hour) {
      const oldest = Math.min(...recent.map((entry) => Date.parse(entry.at)));
      return defer(
        'restarts_per_hour',
        oldest + HOUR_MS,
        `${recent.length} restarts by the crew in the last hour (limit ${limits.rate_limits.restarts_per_hour}): a systemic problem for a human`,
        // Waiting up to an hour for the budget with nobody told is the 3 a.m. silence the
        // crew exists to prevent: a person is paged now, the run still retries when allowed.
        true,
      );
    }
    return null;
  }

  /**
   * After a guard's wait: is the service healthy now, by the verification criteria on fresh
   * metrics? Then there is nothing left to restart (the reason, for the ticket); else null.
   */
  private async faultGone(context: StepContext): Promise<string | null> {
    const { deps, run } = context;
    const snapshot = await deps.metrics.collect([run.service]).catch(() => null);
    const sample = snapshot?.samples.find((entry) => entry.service === run.service);
    const verdict = judgeSample(sample, deps.config.thresholds.verification.success_criteria);
    return verdict.pass
      ? `the fault is gone while the restart waited (${verdict.detail}): not restarting ${run.service}`
      : null;
  }

  /** The lease this run holds (taken now if needed), or who holds it instead. */
  private async holdLease(
    context: StepContext,
  ): Promise<
    | { key: string; revision: number }
    | { kind: 'defer'; holder: string; until: string; reason: string }
  > {
    const { deps, run } = context;
    const key = serviceLockKey(run.service);
    if (run.lease && (await deps.leases.isCurrent(key, run.lease.revision)))
      return { key, revision: run.lease.revision };
    const holder = `${deps.holder}:${run.incident_id}`;
    const acquired = await deps.leases.acquire(
      key,
      holder,
      RESTART_LEASE_TTL_MS,
      `restart for ${run.incident_id}`,
    );
    if (!acquired.ok) {
      return {
        kind: 'defer',
        holder: acquired.held_by.holder,
        until: acquired.held_by.expires_at,
        reason: `${acquired.held_by.holder} holds ${run.service}`,
      };
    }
    const lease = acquired.lease;
    await context.save({
      ...context.run,
      lease: {
        key,
        holder,
        revision: lease.revision,
        acquired_at: lease.acquired_at,
        expires_at: lease.expires_at,
        ttl_ms: RESTART_LEASE_TTL_MS,
      },
      deferred: undefined,
    });
    await deps.publisher.publish(SUBJECTS.lockAcquired, {
      service: run.service,
      holder,
      revision: lease.revision,
      expires_at: lease.expires_at,
      reason: `restart for ${run.incident_id}`,
    });
    return { key, revision: lease.revision };
  }

  /**
   * The restart happened: tell the bus, count it, then mark it done — in that order. A crash
   * anywhere in between leaves the mark at `intent`, so the resumed run comes back here and
   * repeats only idempotent steps (the event's id is deterministic: JetStream drops the copy;
   * the restart log keeps one entry per service). Marked first, a crash would lose `actioned`
   * for good and the ledger's history would skip the restart.
   */
  private async finish(context: StepContext, startedAt: string, how: string): Promise<void> {
    const { deps } = context;
    const run = context.run;
    if (!run.restart) return;
    await deps.publisher.publish(
      SUBJECTS.incidentUpdated,
      {
        incident_id: run.incident_id,
        fingerprint: fingerprintKey(run.service, run.symptom),
        phase: enginePhase('act'),
        note: `${run.service} ${how} by jira-resolver (run ${run.run_id})`,
      },
      { id: `incident.updated.${run.incident_id}.actioned.${run.run_id}` },
    );
    await deps.runs.recordRestart({
      service: run.service,
      at: deps.now().toISOString(),
      incident_id: run.incident_id,
    });
    await context.save({
      ...run,
      restart: { ...run.restart, state: 'done', started_after: startedAt },
    });
  }
}
