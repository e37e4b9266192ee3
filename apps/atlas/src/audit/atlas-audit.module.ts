import { type DynamicModule, Module } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { agentAuditProvider } from '@opscrew/agent-core';
import { AUDIT } from '@opscrew/guardrails';

/** atlas's audit trail, shared by everything in atlas that acts (MCP calls, postmortem drafts). */
export const ATLAS_AUDIT_AGENT = 'atlas' as const;

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
      providers: [agentAuditProvider(loaded, ATLAS_AUDIT_AGENT)],
      exports: [AUDIT],
    };
  }
}
