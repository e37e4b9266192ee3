import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DiscordContractServer, JiraContractServer } from '@opscrew/integrations/testing';
import { type NotificationSeen, type TicketSeen } from './fault-accounting';

const JIRA_EMAIL = 'sre-bot@example.com';

/**
 * The Jira and Discord contract servers (in this process, on loopback) the crew talks to in
 * the SaaS experiment: every request recorded, faults scripted. The crew reaches them through
 * the production config files (integrations/production/jira.json5, discord.json5) and the
 * same environment variables a deployment sets.
 */
export class SaasContracts {
  readonly jira: JiraContractServer;
  readonly discord: DiscordContractServer;
  private readonly jiraToken = `jira-${randomBytes(12).toString('hex')}`;

  private constructor(repoRoot: string) {
    const thirdParty = join(repoRoot, 'test/third-party');
    this.jira = new JiraContractServer({
      email: JIRA_EMAIL,
      apiToken: this.jiraToken,
      specPath: join(thirdParty, 'jira/platform-v3.openapi.json'),
    });
    this.discord = new DiscordContractServer({
      specPath: join(thirdParty, 'discord/openapi.json'),
    });
  }

  static async start(repoRoot: string): Promise<SaasContracts> {
    const contracts = new SaasContracts(repoRoot);
    try {
      await contracts.jira.start();
      await contracts.discord.start();
      return contracts;
    } catch (error) {
      await contracts.stop();
      throw error;
    }
  }

  /** Config keys over the demo overlay: tracker Jira, notifier Discord, the production files. */
  get overlay(): Record<string, unknown> {
    const production = './project/integrations/production';
    return {
      integrations: {
        tracker: { kind: 'jira' },
        jira: { $include: `${production}/jira.json5` },
        notifier: { kind: 'discord' },
        discord: { $include: `${production}/discord.json5` },
      },
    };
  }

  /** The variables the production files read. */
  get env(): Record<string, string> {
    return {
      JIRA_BASE_URL: this.jira.baseUrl,
      JIRA_EMAIL,
      JIRA_API_TOKEN: this.jiraToken,
      DISCORD_WEBHOOK_URL: this.discord.webhookUrl,
      DISCORD_ONCALL_ROLE_ID: '111111111111111111',
      DISCORD_LEAD_ROLE_ID: '222222222222222222',
    };
  }

  /** Jira's issues, each tied to the incident id it names (summary, description, labels). */
  tickets(incidentIds: readonly string[]): TicketSeen[] {
    return [...this.jira.issues.values()].map((issue) => {
      const text = JSON.stringify([issue.summary, issue.description, issue.labels]);
      return { key: issue.key, incident_id: incidentIds.find((id) => text.includes(id)) ?? null };
    });
  }

  /**
   * Every webhook message Discord processed. Two byte-identical messages are one message sent
   * twice. A copy processed while the sender saw a timeout (scripted timeout-after-success) is
   * unconfirmed: its repeat is at-least-once, not a duplicate.
   */
  notifications(): NotificationSeen[] {
    return this.discord.requests
      .filter((request) => request.operationId === 'execute_webhook')
      .filter(
        (request) =>
          (request.status >= 200 && request.status < 300) ||
          request.fault === 'timeout-after-success',
      )
      .map((request) => ({
        identity: JSON.stringify(request.body),
        unconfirmed: request.fault === 'timeout-after-success',
      }));
  }

  /** Requests answered with a scripted fault, per kind (the report shows what was thrown). */
  faultsServed(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const request of [...this.jira.requests, ...this.discord.requests]) {
      if (request.fault === undefined) continue;
      const key = `${request.operationId ?? request.path}:${request.fault}${request.status ? `:${request.status}` : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  async stop(): Promise<void> {
    await this.jira.stop().catch(() => undefined);
    await this.discord.stop().catch(() => undefined);
  }
}
