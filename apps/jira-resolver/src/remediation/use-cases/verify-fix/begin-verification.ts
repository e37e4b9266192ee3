import { type MetricsSource } from '@opscrew/integrations';
import { type RunSession } from '../../run/run-session';

export interface BeginVerificationPorts {
  readonly metrics: Pick<MetricsSource, 'collect'>;
  readonly now: () => Date;
}

/**
 * The one place a run enters `verifying`: fresh progress, the first check `waitS` from now, and a
 * scrape to prime a scrape-based source (the first check then has a window to measure). Used by
 * the `verify_metrics` step and by ExecuteStep when a runbook ends without one.
 * `stepIndex`: the `verify_metrics` step being run, so a pass moves past it.
 */
export async function beginVerification(
  session: RunSession,
  ports: BeginVerificationPorts,
  options: { readonly waitS: number; readonly stepIndex?: number },
): Promise<{ readonly at: string }> {
  const now = ports.now();
  const at = new Date(now.getTime() + options.waitS * 1000).toISOString();
  await session.save({
    ...session.run,
    state: 'verifying',
    verification: {
      started_at: now.toISOString(),
      checks: 0,
      passes_in_row: 0,
      failures: 0,
      ...(options.stepIndex !== undefined ? { step_index: options.stepIndex } : {}),
    },
    next_at: at,
  });
  await ports.metrics.collect([session.run.service]).catch(() => undefined);
  return { at };
}
