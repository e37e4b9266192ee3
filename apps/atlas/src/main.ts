import { type INestApplication } from '@nestjs/common';
import { runAgent, type RunAgentOptions } from '@opscrew/agent-core';
import { AtlasModule } from './atlas.module';

export function startAtlas(options: RunAgentOptions = {}): Promise<INestApplication> {
  return runAgent('atlas', (loaded, runtime) => AtlasModule.forRoot(loaded, runtime), options);
}

if (require.main === module) {
  startAtlas().catch((error: unknown) => {
    process.stderr.write(`atlas: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(process.exitCode ?? 1);
  });
}
