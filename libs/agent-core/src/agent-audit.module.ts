import { type DynamicModule, Module } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { type AgentName } from '@opscrew/contracts';
import { AUDIT } from '@opscrew/ports';
import { agentAuditProvider } from './agent-audit.provider';

/**
 * One agent's audit trail (AUDIT) as a module, so every module of the app that acts shares the
 * one instance and its write order: the app's own providers, the outbox module's port
 * factories (a notifier refusing a file is audited like any other refusal), atlas's MCP
 * module. Build it once per app and import that same object wherever AUDIT is needed: Nest
 * keeps one instance of a dynamic module imported by identical metadata.
 */
@Module({})
export class AgentAuditModule {
  static forAgent(loaded: LoadedConfig, agent: AgentName): DynamicModule {
    return {
      module: AgentAuditModule,
      providers: [agentAuditProvider(loaded, agent)],
      exports: [AUDIT],
    };
  }
}
