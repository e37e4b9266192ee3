import { type DynamicModule, Module } from '@nestjs/common';
import { KvFactory, SilenceStore } from '@opscrew/messaging';
import { CommandResultsController } from './command-results.controller';
import { CommandResults } from './command-results.service';
import { RestartCommand } from './restart.command';
import { SilenceCommand } from './silence.command';

/**
 * The ChatOps actions (`/restart`, `/silence`) and what they need: the waiters for
 * jira-resolver's answers (CommandResults, fed by the `atlas-command-results` durable through
 * CommandResultsController) and the maintenance windows (SilenceStore). Exports both handlers
 * and the store (the status page lists silences); the router registers the handlers under
 * CHAT_COMMAND_HANDLERS.
 *
 * `audit` is atlas's AgentAuditModule (the same module object AtlasModule imports: one trail).
 */
@Module({})
export class ChatActionsModule {
  static register(audit: DynamicModule): DynamicModule {
    return {
      module: ChatActionsModule,
      imports: [audit],
      controllers: [CommandResultsController],
      providers: [
        CommandResults,
        {
          provide: SilenceStore,
          inject: [KvFactory],
          useFactory: (kv: KvFactory) => SilenceStore.open(kv),
        },
        RestartCommand,
        SilenceCommand,
      ],
      exports: [RestartCommand, SilenceCommand, SilenceStore, CommandResults],
    };
  }
}
