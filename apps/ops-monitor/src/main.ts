import { type INestApplication } from '@nestjs/common';
import { runAgent, type RunAgentOptions } from '@opscrew/agent-core';
import { OpsMonitorModule } from './ops-monitor.module';

export function startOpsMonitor(options: RunAgentOptions = {}): Promise<INestApplication> {
  return runAgent(
    'ops-monitor',
    (loaded, runtime) => OpsMonitorModule.forRoot(loaded, runtime),
    options,
  );
}

if (require.main === module) {
  startOpsMonitor().catch((error: unknown) => {
    process.stderr.write(`ops-monitor: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(process.exitCode ?? 1);
  });
}
