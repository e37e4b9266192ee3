import { type RunbookStepConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';
import { describeInspection } from '../evidence.collector';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `check_resources` and `collect_memory_profile`: is the service itself short of something a
 * restart gives back? Memory against its limit (the runtime's reading, else the metrics
 * source's), CPU against its threshold (the metrics source), health and an OOM kill (the
 * runtime). Sets `resource_pressure`, which a later `restart_service` with
 * `condition: if_resource_pressure` reads; check_latency_trend adds saturation to it.
 */
export class CheckResourcesAction implements RunbookAction {
  async execute(context: StepContext, _step: RunbookStepConfig): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    const alerting = deps.config.thresholds.alerting;
    const limit = (key: 'memory_usage_percent' | 'cpu_usage_percent'): number =>
      alerting.services.get(run.service)?.[key] ?? alerting.defaults[key] ?? 90;
    const [state, sample] = await Promise.all([
      deps.runtime.inspect(run.service, caller).catch((error: Error) => error),
      this.sample(context),
    ]);
    if (state instanceof Error && !sample)
      return done('failed', `resources unavailable: ${state.message}`);
    const found: string[] = [];
    const readings: string[] = [];
    const inspected = state instanceof Error ? null : state;
    const memoryPercent =
      inspected?.memory_bytes !== undefined && inspected.memory_limit_bytes
        ? (inspected.memory_bytes / inspected.memory_limit_bytes) * 100
        : sample?.memory_usage_percent;
    if (memoryPercent !== undefined) {
      readings.push(
        `memory ${memoryPercent.toFixed(0)} % of the limit (threshold ${limit('memory_usage_percent')} %)`,
      );
      if (memoryPercent >= limit('memory_usage_percent')) found.push('memory');
    }
    const cpu = sample?.cpu_usage_percent;
    if (cpu !== undefined) {
      readings.push(`CPU ${cpu.toFixed(0)} % (threshold ${limit('cpu_usage_percent')} %)`);
      if (cpu >= limit('cpu_usage_percent')) found.push('CPU');
    }
    if (inspected?.health === 'unhealthy') found.push('failing its health check');
    if (inspected?.oom_killed) found.push('killed for memory');
    const pressure = found.length > 0;
    await context.save({ ...run, resource_pressure: pressure || run.resource_pressure === true });
    return done(
      'ok',
      `${inspected ? describeInspection(inspected) : 'runtime unavailable'}` +
        `${readings.length ? ` (${readings.join(', ')})` : ''}; ` +
        `resource pressure: ${pressure ? `yes (${found.join(', ')})` : 'no'}`,
    );
  }

  private async sample(context: StepContext): Promise<ServiceSample | undefined> {
    const { deps, run } = context;
    const snapshot = await deps.metrics.collect([run.service]).catch(() => null);
    return snapshot?.samples.find((entry) => entry.service === run.service);
  }
}
