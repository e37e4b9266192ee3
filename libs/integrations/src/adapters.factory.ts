import { type OpscrewConfig } from '@opscrew/config';
import { type NotifierPort, type TrackerPort } from '@opscrew/ports';
import { type FileAccessPolicy } from '@opscrew/sandbox';
import { type KV } from 'nats';
import { ConsoleNotifier } from './notifier/console.notifier';
import { DiscordNotifier } from './notifier/discord.notifier';
import { JiraTracker } from './tracker/jira.tracker';
import { LocalTracker } from './tracker/local.tracker';

/** The tracker the config chooses: local tickets in KV (embedded) or Jira Cloud. */
export function createTracker(
  config: OpscrewConfig,
  deps: { ticketsKv: KV; listTicketKeys?: () => Promise<string[]> },
): TrackerPort {
  const tracker = config.integrations.tracker;
  if (tracker.kind === 'jira') {
    // Config validation guarantees the section; checked again so a wiring mistake is named.
    if (!config.integrations.jira)
      throw new Error('integrations.jira is required when tracker.kind is "jira"');
    return new JiraTracker({ config: config.integrations.jira });
  }
  return new LocalTracker(deps.ticketsKv, {
    project_key: config.integrations.jira?.project_key ?? 'OPS',
  });
}

/**
 * The notifier the config chooses: console + JSONL (embedded) or a Discord webhook.
 * `files` is the calling agent's filesystem sandbox: the JSONL file is opened only through it.
 */
export function createNotifier(
  config: OpscrewConfig,
  resolvePath: (path: string) => string,
  files: FileAccessPolicy,
): NotifierPort {
  const notifier = config.integrations.notifier;
  const discord = config.integrations.discord;
  if (notifier.kind === 'discord') {
    if (!discord)
      throw new Error('integrations.discord is required when notifier.kind is "discord"');
    return new DiscordNotifier({ config: discord });
  }
  return new ConsoleNotifier({
    jsonl_path: resolvePath(notifier.jsonl_path),
    files,
    rotate: config.files.rotate,
    ...(discord
      ? {
          message: {
            username: discord.username,
            role_ids: discord.role_ids,
            colors_by_severity: discord.colors_by_severity,
          },
        }
      : {}),
  });
}
