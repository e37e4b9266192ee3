import { Logger, type Provider } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import { auditFileFor, JsonlAuditLog, sandboxViolationReporter } from '@opscrew/guardrails';
import { EventConsumer, EventPublisher } from '@opscrew/messaging';
import { AUDIT } from '@opscrew/ports';
import { senderAuditFor } from './sender-audit.adapter';
import { fileSandboxFor } from '@opscrew/sandbox';

/**
 * The agent's audit trail as the AUDIT provider: `var/audit/<agent>.jsonl`
 * (append-only, one writer per file), every record also published on
 * `audit.<agent>`; refused senders of its consumers are audited there too. The file goes through the agent's own filesystem sandbox,
 * whose refusals are only logged: a refused audit append reported to this
 * same audit log would report itself forever.
 */
export function agentAuditProvider(loaded: LoadedConfig, agent: AgentName): Provider {
  return {
    provide: AUDIT,
    inject: [EventPublisher, EventConsumer],
    useFactory: (publisher: EventPublisher, consumers: EventConsumer) => {
      const audit = new JsonlAuditLog({
        path: loaded.resolvePath(auditFileFor(agent)),
        // files.rotate: `<agent>.jsonl` → `<agent>.1.jsonl` … by size.
        rotate: loaded.config.files.rotate,
        publish: (subject, payload, options) => publisher.publish(subject, payload, options),
        files: fileSandboxFor(loaded.config, loaded.projectRoot, agent, {
          onViolation: sandboxViolationReporter({ logger: new Logger('FileSandbox') }),
        }),
      });
      // A consumer that refuses a forged sender (source_mismatch) says so here too.
      consumers.auditSendersWith(senderAuditFor(agent, audit));
      return audit;
    },
  };
}
