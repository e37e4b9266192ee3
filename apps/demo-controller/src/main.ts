import { type INestApplication } from '@nestjs/common';
import { runAgent, type RunAgentOptions } from '@opscrew/agent-core';
import { DemoControllerModule } from './demo-controller.module';

export function startDemoController(options: RunAgentOptions = {}): Promise<INestApplication> {
  return runAgent(
    'demo-controller',
    (loaded, runtime) => DemoControllerModule.forRoot(loaded, runtime),
    options,
  );
}

if (require.main === module) {
  startDemoController().catch((error: unknown) => {
    process.stderr.write(`demo-controller: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(process.exitCode ?? 1);
  });
}
