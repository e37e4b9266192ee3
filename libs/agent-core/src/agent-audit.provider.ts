import { Logger, type Provider } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import { AUDIT, auditFileFor, JsonlAuditLog, sandboxViolationReporter } from '@opscrew/guardrails';
import { EventPublisher } from '@opscrew/messaging';
import { fileSandboxFor } from '@opscrew/sandbox';

/**
 * The agent's audit trail as the AUDIT provider: `var/audit/<agent>.jsonl`
 * (append-only, one writer per file), every record also published on
 * `audit.<agent>`. The file goes through the agent's own filesystem sandbox,
 * whose refusals are only logged: a refused audit append reported to this
 * same audit log would report itself forever.
 */
export function agentAuditProvider(loaded: LoadedConfig, agent: AgentName): Provider {
  return {
    provide: AUDIT,
    inject: [EventPublisher],
    useFactory: (publisher: EventPublisher) =>
      new JsonlAuditLog({
        path: loaded.resolvePath(auditFileFor(agent)),
        publish: (subject, payload, options) => publisher.publish(subject, payload, options),
        files: fileSandboxFor(loaded.config, loaded.projectRoot, agent, {
          onViolation: sandboxViolationReporter({ logger: new Logger('FileSandbox') }),
        }),
      }),
  };
}
