import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnModuleInit,
} from '@nestjs/common';
import { HEARTBEAT_BOARD, type HeartbeatSource } from '@opscrew/agent-core';
import { type DiscordInteractionsConfig, type LoadedConfig } from '@opscrew/config';
import { KV_BUCKETS } from '@opscrew/contracts';
import { openIncidentAck } from '@opscrew/guardrails';
import { DiscordInteractionsClient } from '@opscrew/integrations';
import {
  EventPublisher,
  IncidentLedger,
  KvFactory,
  NatsConnectionService,
} from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { AckCommand, CHAT_INCIDENT_ACK } from './ack.command';
import { ChatActionsModule } from './chat-actions.module';
import { CHAT_COMMAND_HANDLERS, type ChatCommandHandler } from './chat-command';
import { busCrewSources, CHAT_CREW_SOURCES } from './chat-crew.sources';
import { ChatController } from './chat.controller';
import { ChatRouter } from './chat.router';
import { DiscordInteractionsController } from './discord-interactions.controller';
import { DiscordSignatureVerifier, ed25519PublicKey } from './discord-signature.verifier';
import { IncidentCommand } from './incident.command';
import { RestartCommand } from './restart.command';
import { SilenceCommand } from './silence.command';
import { StatusCommand } from './status.command';

/** Nest token of `integrations.discord_interactions` (null: the endpoint is off). */
export const DISCORD_INTERACTIONS_CONFIG = Symbol('DISCORD_INTERACTIONS_CONFIG');

/** Says once, at start, whether Discord can reach the crew. */
@Injectable()
class ChatopsAnnouncer implements OnModuleInit {
  private readonly logger = new Logger('ChatOps');

  constructor(
    @Inject(DISCORD_INTERACTIONS_CONFIG) private readonly discord: DiscordInteractionsConfig | null,
  ) {}

  onModuleInit(): void {
    if (this.discord === null)
      this.logger.log(
        'Discord interactions endpoint off: no integrations.discord_interactions section ' +
          '(see project/integrations/production/discord-interactions.json5); POST /chat works without it',
      );
    else
      this.logger.log(
        `Discord interactions on POST /discord/interactions (application ${this.discord.application_id})`,
      );
  }
}

/**
 * Two-way ChatOps in atlas: the router and its handlers (CHAT_COMMAND_HANDLERS), `POST /chat`
 * (`opscrew chat`), and — when `integrations.discord_interactions` is configured —
 * `POST /discord/interactions`. Without that section there is no Discord route at all.
 */
@Module({})
export class ChatopsModule {
  /** `audit`: atlas's AgentAuditModule, the same instance atlas imports (one log, one writer). */
  static forRoot(loaded: LoadedConfig, audit: DynamicModule): DynamicModule {
    const discord = loaded.config.integrations.discord_interactions ?? null;
    // /restart and /silence with what they need; re-exported (the status page lists silences).
    const actions = ChatActionsModule.register(audit);
    return {
      module: ChatopsModule,
      imports: [audit, actions],
      exports: [actions],
      controllers: [ChatController, ...(discord !== null ? [DiscordInteractionsController] : [])],
      providers: [
        { provide: DISCORD_INTERACTIONS_CONFIG, useValue: discord },
        ChatopsAnnouncer,
        {
          provide: CHAT_CREW_SOURCES,
          inject: [HEARTBEAT_BOARD, IncidentLedger, KvFactory, NatsConnectionService],
          useFactory: async (
            heartbeats: HeartbeatSource,
            ledger: IncidentLedger,
            kv: KvFactory,
            bus: NatsConnectionService,
          ) =>
            busCrewSources({
              heartbeats,
              ledger,
              outbox: await kv.raw(KV_BUCKETS.outbox),
              config: loaded.config,
              bus,
            }),
        },
        {
          provide: CHAT_INCIDENT_ACK,
          inject: [KvFactory, EventPublisher, AUDIT],
          useFactory: (factory: KvFactory, publisher: EventPublisher, sink: AuditSink) =>
            openIncidentAck({
              factory,
              publisher,
              audit: sink,
              config: loaded.config.thresholds.escalation,
              logger: new Logger('IncidentAck'),
            }),
        },
        StatusCommand,
        IncidentCommand,
        AckCommand,
        {
          provide: CHAT_COMMAND_HANDLERS,
          inject: [StatusCommand, IncidentCommand, AckCommand, RestartCommand, SilenceCommand],
          useFactory: (...handlers: ChatCommandHandler[]): readonly ChatCommandHandler[] =>
            handlers,
        },
        ChatRouter,
        ...(discord !== null
          ? [
              {
                provide: DiscordSignatureVerifier,
                useFactory: () =>
                  new DiscordSignatureVerifier(ed25519PublicKey(discord.public_key)),
              },
              {
                provide: DiscordInteractionsClient,
                useFactory: () =>
                  new DiscordInteractionsClient({
                    apiBaseUrl: discord.api_base_url,
                    applicationId: discord.application_id,
                    timeoutMs: discord.timeout_ms,
                  }),
              },
            ]
          : []),
      ],
    };
  }
}
