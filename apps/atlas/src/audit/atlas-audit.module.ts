import { type DynamicModule, Module } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { AUDIT, auditFileFor, JsonlAuditLog } from '@opscrew/guardrails';
import { EventPublisher } from '@opscrew/messaging';

/** atlas's audit trail, shared by everything in atlas that acts (MCP calls, postmortem drafts). */
export const ATLAS_AUDIT_AGENT = 'atlas';

/**
 * One audit log per process: `var/audit/atlas.jsonl`, each record also
 * published as `audit.atlas`. A module of its own so the MCP module and the
 * postmortem writer share the one instance (and its write order).
 */
@Module({})
export class AtlasAuditModule {
  static forRoot(loaded: LoadedConfig): DynamicModule {
    return {
      module: AtlasAuditModule,
      providers: [
        {
          provide: AUDIT,
          inject: [EventPublisher],
          useFactory: (publisher: EventPublisher) =>
            new JsonlAuditLog({
              path: loaded.resolvePath(auditFileFor(ATLAS_AUDIT_AGENT)),
              publish: (subject, payload, options) => publisher.publish(subject, payload, options),
            }),
        },
      ],
      exports: [AUDIT],
    };
  }
}
