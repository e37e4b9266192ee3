import { type IncreaseMemoryLimitStep } from '@opscrew/config';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `increase_memory_limit`: PROPOSES a higher limit in the ticket and the audit
 * log; it never changes one (config refuses `requires_approval: false`, and no
 * runtime command for it exists). A human approves and applies it.
 */
export class IncreaseMemoryLimitAction implements RunbookAction<IncreaseMemoryLimitStep> {
  async execute(context: StepContext, step: IncreaseMemoryLimitStep): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    let current: number | undefined;
    try {
      current = (await deps.runtime.inspect(run.service, caller)).memory_limit_bytes;
    } catch {
      current = undefined;
    }
    const currentMb = current ? Math.round(current / 1_048_576) : undefined;
    const proposedMb = currentMb
      ? Math.min(Math.round(currentMb * step.factor), step.max_memory_mb)
      : step.max_memory_mb;
    const text =
      `proposal, needs approval (not applied): raise ${run.service}'s memory limit ` +
      `${currentMb ? `from ${currentMb} MiB ` : ''}to ${proposedMb} MiB (×${step.factor}, capped at ${step.max_memory_mb} MiB)`;
    await deps.audit.record({
      agent: 'jira-resolver',
      action: 'runtime.increase_memory_limit',
      verdict: 'refused',
      result: `proposed ${proposedMb} MiB; applying a limit needs human approval`,
      input: { service: run.service, proposedMb },
      incident_id: run.incident_id,
    });
    return done('skipped', text);
  }
}
