import { type INestApplication } from '@nestjs/common';
import { runAgent, type RunAgentOptions } from '@opscrew/agent-core';
import { OpsMonitorModule } from './ops-monitor.module';

/**
 * 1 MiB: an Alertmanager notification of MAX_ALERTS (500) alerts with their labels and
 * annotations fits; Nest's default 100 kB would answer a big group 413, which Alertmanager
 * never retries.
 */
const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export function startOpsMonitor(options: RunAgentOptions = {}): Promise<INestApplication> {
  return runAgent('ops-monitor', (loaded, runtime) => OpsMonitorModule.forRoot(loaded, runtime), {
    jsonBodyLimitBytes: JSON_BODY_LIMIT_BYTES,
    ...options,
  });
}

if (require.main === module) {
  startOpsMonitor().catch((error: unknown) => {
    process.stderr.write(`ops-monitor: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(process.exitCode ?? 1);
  });
}
