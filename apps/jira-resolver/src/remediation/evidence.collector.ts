import { errorMessage } from '@opscrew/contracts';
import {
  type RuntimeCaller,
  type RuntimeInspection,
  type RuntimePort,
} from '@opscrew/integrations';

/** Lines of log kept as evidence: enough to show a pattern, small enough for a ticket comment. */
const EVIDENCE_LOG_LINES = 200;
const EVIDENCE_MAX_CHARS = 1800;

export interface Evidence {
  /** One compact text: container state words and the log lines worth matching. */
  readonly text: string;
  readonly inspection: RuntimeInspection | null;
  /** Why evidence is partial (runtime unreachable, service unknown to it). */
  readonly gaps: readonly string[];
}

/**
 * What triage looks at before choosing a runbook: the service's state in the
 * runtime (OOMKilled, exit code, health) and its recent logs. Only reads; the
 * text is data — it is matched against runbook evidence strings, never obeyed.
 */
export async function collectEvidence(
  runtime: Pick<RuntimePort, 'inspect' | 'logs'>,
  service: string,
  caller: RuntimeCaller,
): Promise<Evidence> {
  const parts: string[] = [];
  const gaps: string[] = [];
  let inspection: RuntimeInspection | null = null;
  try {
    inspection = await runtime.inspect(service, caller);
    parts.push(describeInspection(inspection));
  } catch (error) {
    gaps.push(`inspect: ${errorMessage(error)}`);
  }
  try {
    const logs = await runtime.logs(service, EVIDENCE_LOG_LINES, caller);
    const interesting = logs.lines.filter((line) =>
      /error|fail|exception|timeout|refused|exhaust|killed|oom|memory|panic|fatal/i.test(line.text),
    );
    parts.push(...interesting.slice(-20).map((line) => `${line.stream}: ${line.text}`));
  } catch (error) {
    gaps.push(`logs: ${errorMessage(error)}`);
  }
  return { text: parts.join('\n').slice(0, EVIDENCE_MAX_CHARS), inspection, gaps };
}

/** Container state in the words runbooks match on (`OOMKilled`, `exit code 137`, `unhealthy`, `exited`). */
export function describeInspection(inspection: RuntimeInspection): string {
  const words = [`state ${inspection.status}`];
  if (inspection.oom_killed) words.push('OOMKilled');
  if (inspection.exit_code !== null && inspection.exit_code !== 0)
    words.push(`exit code ${inspection.exit_code}`);
  if (inspection.health !== 'none') words.push(`health ${inspection.health}`);
  if (inspection.restart_count > 0) words.push(`${inspection.restart_count} restarts so far`);
  if (inspection.memory_bytes !== undefined) {
    const limit = inspection.memory_limit_bytes;
    words.push(
      `memory ${(inspection.memory_bytes / 1_048_576).toFixed(0)} MiB${limit ? ` of ${(limit / 1_048_576).toFixed(0)} MiB` : ''}`,
    );
  }
  return words.join(', ');
}
