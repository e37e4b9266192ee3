import { errorMessage } from '@opscrew/contracts';
import { DiscordInteractionsClient, type FetchLike } from '@opscrew/integrations';
import { discordCommandRegistrations } from '../../../atlas/src';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface RegisterCommandsOptions extends ConfigCommandOptions {
  /** Register in this guild only (default: integrations.discord_interactions.guild_id, else global). */
  readonly guild?: string;
}

const GUILD_ID = /^[1-9][0-9]{16,19}$/;

/**
 * `opscrew discord register-commands`: tells Discord about /status, /incident, /ack, /restart
 * and /silence (a bulk overwrite of the application's commands, with the bot token). Run once
 * after setting up the application, and after an upgrade that changes the commands.
 */
export async function registerDiscordCommands(
  options: RegisterCommandsOptions,
  io: CliIo,
  fetchFn?: FetchLike,
): Promise<number> {
  if (options.guild !== undefined && !GUILD_ID.test(options.guild)) {
    io.err(
      `opscrew discord register-commands: --guild: "${options.guild}" is not a Discord guild id (17-20 digits)`,
    );
    return EXIT_INVALID;
  }
  const loaded = loadForCli(options, io);
  if ('exitCode' in loaded) return loaded.exitCode;
  const section = loaded.loaded.config.integrations.discord_interactions;
  if (section === undefined) {
    io.err(
      'opscrew discord register-commands: no integrations.discord_interactions section ' +
        '(include project/integrations/production/discord-interactions.json5 from integrations.json5)',
    );
    return EXIT_INVALID;
  }
  if (section.bot_token === undefined) {
    io.err(
      'opscrew discord register-commands: integrations.discord_interactions.bot_token is not set (DISCORD_BOT_TOKEN)',
    );
    return EXIT_INVALID;
  }
  const guild = options.guild ?? section.guild_id;
  const client = new DiscordInteractionsClient({
    apiBaseUrl: section.api_base_url,
    applicationId: section.application_id,
    botToken: section.bot_token,
    timeoutMs: section.timeout_ms,
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  try {
    const names = await client.registerCommands(discordCommandRegistrations(), guild);
    io.out(
      `registered ${names.length} command(s) ${guild === undefined ? 'globally (they can take up to an hour to appear)' : `in guild ${guild}`}: ` +
        names.map((name) => `/${name}`).join(', '),
    );
    return EXIT_OK;
  } catch (error: unknown) {
    io.err(`opscrew discord register-commands: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  }
}
