import { errorMessage, type ScenarioOutcome, type SkippedLock } from '@opscrew/contracts';
import { type AuditSink } from '@opscrew/ports';
import { type ScenarioPlan } from './scenario.catalog';
import { type ScenarioEffect } from './scenario.effect';

const AGENT = 'demo-controller';

/** One run as the audit trail names it: the scenario, the run id, the services it acts on. */
export interface AuditedRun {
  readonly plan: Pick<ScenarioPlan, 'name' | 'kind' | 'services'>;
  readonly run_id: string;
}

/**
 * demo-controller's audit trail (`var/audit/demo-controller.jsonl`, `audit.demo-controller`):
 * what it did to the system on purpose, in the words the other agents use — scenario started,
 * refused and ended; locks taken, released and lost; flags flipped and restored; faults
 * injected and cleared; load started and stopped.
 *
 * The records before and while a run acts (`started`, `locked`, `applied`) are awaited and
 * throw: the runner treats that as a failed setup and undoes the run (fail closed, like the
 * other agents: nothing is done to the system that the trail does not show). The records of
 * undoing (`reverted`, `released`, `ended`, `lost`) and of refusals never throw: a fault must
 * be cleared and a lock released whether or not the trail can be written; their failure is
 * only logged.
 */
export class ScenarioAudit {
  constructor(
    private readonly sink: AuditSink | null,
    private readonly logger: { warn(message: string): void },
  ) {}

  started(run: AuditedRun, durationMs: number): Promise<void> {
    return this.record(run, 'scenario.start', 'allowed', {
      result: `${run.run_id}: ${run.plan.kind} scenario ${run.plan.name} for ${durationMs / 1000} s on ${run.plan.services.join(', ')}`,
    });
  }

  /** A start refused before anything was done (busy, precondition, unknown). */
  refused(scenario: string, error: unknown): Promise<void> {
    return this.quietly(() =>
      this.write({
        action: 'scenario.start',
        verdict: 'refused',
        result: errorMessage(error),
        input: { scenario },
      }),
    );
  }

  locked(run: AuditedRun, held: readonly string[], skipped: readonly SkippedLock[]): Promise<void> {
    const others = skipped.map((s) => `${s.service} (held by ${s.held_by})`).join(', ');
    return this.record(run, 'lock.acquire', 'allowed', {
      result: `${run.run_id}: locked ${held.join(', ') || 'nothing'}${others ? `; skipped ${others}` : ''}`,
      extra: { held, skipped: skipped.map((s) => s.service) },
    });
  }

  released(run: AuditedRun, services: readonly string[]): Promise<void> {
    return this.quietly(() =>
      this.record(run, 'lock.release', 'allowed', {
        result: `${run.run_id}: released ${services.join(', ') || 'nothing'}`,
        extra: { services },
      }),
    );
  }

  lost(run: AuditedRun, service: string, why: string): Promise<void> {
    return this.quietly(() =>
      this.record(run, 'lock.lost', 'allowed', {
        result: `${run.run_id}: lock on ${service} lost (${why}); the run stops`,
        extra: { service },
      }),
    );
  }

  applied(run: AuditedRun, effect: ScenarioEffect): Promise<void> {
    return this.record(run, effect.actions.apply, 'allowed', {
      result: `${run.run_id}: ${effect.label}`,
      extra: { effect: effect.label },
    });
  }

  /** `error`: the undo failed (the run's note says so too). */
  reverted(run: AuditedRun, effect: ScenarioEffect, error?: unknown): Promise<void> {
    const outcome = error === undefined ? 'undone' : `undo failed: ${errorMessage(error)}`;
    return this.quietly(() =>
      this.record(run, effect.actions.revert, 'allowed', {
        result: `${run.run_id}: ${effect.label} ${outcome}`,
        extra: { effect: effect.label },
      }),
    );
  }

  ended(run: AuditedRun, outcome: ScenarioOutcome, note: string | undefined): Promise<void> {
    return this.quietly(() =>
      this.record(run, 'scenario.end', 'allowed', {
        result: `${run.run_id}: ${run.plan.name} ${outcome}${note ? ` (${note})` : ''}`,
        extra: { outcome },
      }),
    );
  }

  private record(
    run: AuditedRun,
    action: string,
    verdict: 'allowed' | 'refused',
    what: { readonly result: string; readonly extra?: Record<string, unknown> },
  ): Promise<void> {
    return this.write({
      action,
      verdict,
      result: what.result,
      input: { scenario: run.plan.name, run_id: run.run_id, ...what.extra },
    });
  }

  private async write(entry: {
    action: string;
    verdict: 'allowed' | 'refused';
    result: string;
    input: unknown;
  }): Promise<void> {
    if (this.sink === null) return;
    await this.sink.record({ agent: AGENT, ...entry });
  }

  private async quietly(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn(`audit record not written: ${errorMessage(error)}`);
    }
  }
}
