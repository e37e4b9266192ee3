import { type DynamicModule, Module } from '@nestjs/common';
import { AGENT_NAME, LOADED_CONFIG, type LoadedConfig } from '@opscrew/config';
import { FILE_SANDBOX } from './file-access.port';
import { type FileSandbox } from './file-sandbox';
import {
  type FileSandboxSettings,
  fileSandboxOf,
  fileSandboxSettingsFor,
} from './file-sandbox.factory';

/** The running agent's FileSandboxSettings: the only part of the config its sandbox reads. */
export const FILE_SANDBOX_SETTINGS = Symbol('FILE_SANDBOX_SETTINGS');

/**
 * The running agent's filesystem sandbox (security layer 3) as a module, instead of a
 * factory in every app module: FILE_SANDBOX built from FILE_SANDBOX_SETTINGS, the narrow
 * slice of the config it needs (`agents.<agent>.sandbox.filesystem` and the project root,
 * the agent from AGENT_NAME). A refusal is a warning in the log. An app that audits refusals
 * too (guardrails' sandboxViolationReporter with its AUDIT, a provider of the app itself)
 * keeps its own FILE_SANDBOX provider: this module cannot see the app's providers.
 */
@Module({})
export class SandboxModule {
  static register(): DynamicModule {
    return {
      module: SandboxModule,
      providers: [
        {
          provide: FILE_SANDBOX_SETTINGS,
          inject: [LOADED_CONFIG, AGENT_NAME],
          useFactory: (loaded: LoadedConfig, agent: string): FileSandboxSettings =>
            fileSandboxSettingsFor(loaded.config, loaded.projectRoot, agent),
        },
        {
          provide: FILE_SANDBOX,
          inject: [FILE_SANDBOX_SETTINGS],
          useFactory: (settings: FileSandboxSettings): FileSandbox => fileSandboxOf(settings),
        },
      ],
      exports: [FILE_SANDBOX, FILE_SANDBOX_SETTINGS],
    };
  }
}
