import { type DynamicModule, Module } from '@nestjs/common';
import { type LoadedConfig, loadConfig } from '../config.loader';
import { type RuntimeEnvironment, readRuntimeEnvironment } from '../runtime-environment';
import { type AgentName } from '../schema/vocabulary';
import { AGENT_NAME, LOADED_CONFIG, RUNTIME_ENVIRONMENT } from './config.tokens';

export interface OpscrewConfigModuleOptions {
  readonly agent: AgentName;
  /** Already loaded (the app's main loads it before Nest starts, to fail fast with every error). */
  readonly loaded?: LoadedConfig;
  readonly runtime?: RuntimeEnvironment;
}

/** Provides the validated configuration to an app; global so every module can inject it. */
@Module({})
export class OpscrewConfigModule {
  static forRoot(options: OpscrewConfigModuleOptions): DynamicModule {
    const runtime = options.runtime ?? readRuntimeEnvironment();
    const loaded =
      options.loaded ??
      loadConfig({
        configDir: runtime.configDir,
        env: runtime.env,
        ...(runtime.dotenvPath ? { dotenvPath: runtime.dotenvPath } : {}),
      });
    return {
      module: OpscrewConfigModule,
      global: true,
      providers: [
        { provide: LOADED_CONFIG, useValue: loaded },
        { provide: RUNTIME_ENVIRONMENT, useValue: runtime },
        { provide: AGENT_NAME, useValue: options.agent },
      ],
      exports: [LOADED_CONFIG, RUNTIME_ENVIRONMENT, AGENT_NAME],
    };
  }
}
