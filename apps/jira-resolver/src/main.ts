import { type INestApplication } from '@nestjs/common';
import { runAgent, type RunAgentOptions } from '@opscrew/agent-core';
import { JiraResolverModule } from './jira-resolver.module';

export function startJiraResolver(options: RunAgentOptions = {}): Promise<INestApplication> {
  return runAgent(
    'jira-resolver',
    (loaded, runtime) => JiraResolverModule.forRoot(loaded, runtime),
    options,
  );
}

if (require.main === module) {
  startJiraResolver().catch((error: unknown) => {
    process.stderr.write(`jira-resolver: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(process.exitCode ?? 1);
  });
}
