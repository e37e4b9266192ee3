import { type RunbookStepConfig } from '@opscrew/config';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `check_dependencies`: are the services this one calls healthy? Open
 * incidents on a dependency (from the ledger) and dependencies that are down
 * in the runtime are named: restarting this service will not fix them. What it
 * finds is kept on the run (`dependency_trouble`): a later `restart_service`
 * then restarts nothing — the culprit is the one to restart, not its caller.
 */
export class CheckDependenciesAction implements RunbookAction {
  async execute(context: StepContext, _step: RunbookStepConfig): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    const dependencies = deps.config.services.watched.get(run.service)?.depends_on ?? [];
    if (dependencies.length === 0) {
      await context.save({ ...run, dependency_trouble: undefined });
      return done('ok', `${run.service} calls no other service`);
    }
    const open = (await deps.ledger.list()).filter(
      (incident) =>
        dependencies.includes(incident.service) &&
        !['resolved'].includes(incident.phase) &&
        !incident.informational,
    );
    const down: string[] = [];
    for (const dependency of dependencies) {
      if (!deps.config.services.watched.has(dependency)) continue; // protected infrastructure is not ours to inspect here
      try {
        const state = await deps.runtime.inspect(dependency, caller);
        if (!state.running || state.health === 'unhealthy')
          down.push(`${dependency} (${state.status}, ${state.health})`);
      } catch {
        // Not in this runtime (e.g. a SaaS dependency): the ledger is the signal then.
      }
    }
    const findings = [
      ...open.map(
        (incident) =>
          `${incident.service} has open incident ${incident.incident_id} (${incident.symptom})`,
      ),
      ...down.map((entry) => `${entry} is down`),
    ];
    const trouble = findings.join('; ').slice(0, 1900);
    await context.save({ ...context.run, dependency_trouble: trouble || undefined });
    return done(
      'ok',
      findings.length
        ? `dependencies in trouble: ${trouble}`
        : `dependencies healthy: ${dependencies.join(', ')}`,
    );
  }
}
