import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DiscordConfig } from '@opscrew/config';
import { buildEvent, type ReportEvent } from '@opscrew/contracts';
import { DiscordNotifier, DISCORD_LIMITS } from '@opscrew/integrations';
import {
  DiscordContractServer,
  discordMessagesHtml,
  displayedText,
} from '@opscrew/integrations/testing';
import { DeliveryError, type Notification } from '@opscrew/ports';
import { launchHeadlessChromium } from '@opscrew/testing';
import { DeadLetterSummaryReport } from './dead-letter-summary.report';
import { reportNotification } from './report-forwarder.service';

/** Where the screenshot goes (gitignored var/); OPSCREW_TEST_ARTIFACTS moves it (CI uploads it). */
const ARTIFACTS = resolve(
  process.env.OPSCREW_TEST_ARTIFACTS ?? join(__dirname, '../../../../var/test-artifacts'),
  'reports',
);

function report(
  kind: string,
  source: 'atlas' | 'ops-monitor' | 'jira-resolver' | 'demo-controller',
  title: string,
  text: string,
  fields: Record<string, string | number>,
): ReportEvent {
  return buildEvent(`report.${kind}`, { kind, title, text, fields }, source, {
    id: `report.${kind}.2026-12-07T00:00:00.000Z`,
  });
}

/** What each agent's producer writes (their specs check the figures; this checks the look). */
function crewReports(deadLetters: ReportEvent): ReportEvent[] {
  return [
    report(
      'ops-monitor-daily',
      'ops-monitor',
      'ops-monitor daily report 2026-12-07',
      [
        'Last 24 h: 5 incident(s) opened (1 critical, 2 high, 2 low), 4 resolved, 1 escalated.',
        'Noisiest services:',
        '- cart: 3 incident(s), 41 detection(s)',
        '- checkout: 1 incident(s), 7 detection(s)',
        '- ad: 1 incident(s), 2 detection(s)',
        'Data quality over 2880 cycle(s): completeness 98.6 % (target 100.0 %), actionability 100.0 % (target 95.0 %), accuracy 91.7 % (target 90.0 %).',
        'Not checked last cycle: recommendation.',
      ].join('\n'),
      {
        opened: 5,
        resolved: 4,
        escalated: 1,
        noisiest: 'cart',
        completeness: '98.6 %',
        actionability: '100.0 %',
        accuracy: '91.7 %',
      },
    ),
    report(
      'jira-resolver-daily',
      'jira-resolver',
      'jira-resolver daily report 2026-12-07',
      [
        'Last 24 h: 6 ticket(s) worked — 4 fixed and verified, 1 failed, 0 skipped, 1 still in progress.',
        'Auto-resolution rate 80.0 %; MTTR 6 min 40 s over 4 resolved incident(s).',
        'Escalations: 1',
        '- INC-20261206-004-7f3a (checkout) at 2026-12-06T18:22:10.000Z',
        'Actions by runbook:',
        '- restart-on-errors: 4 run(s), 3 succeeded (restart_service ×4, verify_metrics ×3)',
        '- scale-on-latency: 1 run(s), 1 succeeded (check_latency_trend ×2)',
        '- (no runbook): 1 run(s), 0 succeeded',
      ].join('\n'),
      {
        worked: 6,
        auto_resolution: '80.0 %',
        mttr: '6 min 40 s',
        escalations: 1,
        runbooks_used: 3,
      },
    ),
    report(
      'demo-controller-weekly',
      'demo-controller',
      'demo-controller weekly report 2026-12-07',
      [
        '9 scenario run(s) scored this week: 14 right alert(s), 2 false positive(s), 1 missed, 0 restart(s) during a load lock, detection after 42.5 s on average.',
        'All time (31 completed run(s)): accuracy 91.2 %, mean detection latency 44 s, mean resolution time 380 s, 0 restart(s) during a lock.',
        '- stress ×3: 1 false positive(s), 0 missed, detected after 38 s',
        '- flagd_cart_failure ×4: 1 false positive(s), 1 missed, detected after 51.2 s',
        '- crash_recommendation ×2: 0 false positive(s), 0 missed, detected after 30 s',
        'Threshold suggestions for review (never applied automatically; all in var/learning/threshold-suggestions.json):',
        '- thresholds.alerting.error_rate.warn: 0.05 → 0.07 (2 FP, 0 missed, 14 right) — false positives under deliberate load',
      ].join('\n'),
      {
        runs: 31,
        true_positives: 58,
        false_positives: 6,
        missed: 2,
        restarts_during_lock: 0,
        accuracy: '91.2 %',
        suggestions: 1,
      },
    ),
    deadLetters,
    // The largest report an agent may publish (4000 characters, 25 fields of 200): over one
    // message's 6000, so it is split — and must still read as one report.
    report(
      'slo-daily',
      'atlas',
      'SLO daily report 2026-12-07 — every service, its budget and burn',
      Array.from(
        { length: 62 },
        (_, i) =>
          `service-${String(i).padStart(2, '0')}: availability 99.9${i % 10} % (objective 99.9 %), budget left ${90 - i} %, burn 1h ${(i / 10).toFixed(1)}×`,
      )
        .join('\n')
        .slice(0, 4000),
      Object.fromEntries(
        Array.from({ length: 25 }, (_, i) => [
          `budget_service_${String(i).padStart(2, '0')}`,
          `${90 - i} % left; burn ${(i / 10).toFixed(1)}× over 1 h, ${(i / 20).toFixed(2)}× over 6 h; ${'steady '.repeat(22)}`.slice(
            0,
            200,
          ),
        ]),
      ),
    ),
  ];
}

/** The outbox's part: a rate-limited send is retried after the wait Discord asked for. */
async function sendAsTheOutboxWould(
  notifier: DiscordNotifier,
  notification: Notification,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await notifier.send(notification);
    } catch (error) {
      if (!(error instanceof DeliveryError) || !error.retryable || attempt >= 5) throw error;
      await new Promise((done) => setTimeout(done, (error.retryAfterMs ?? 500) + 50));
    }
  }
}

describe('reports as Discord shows them (headless Chromium)', () => {
  const discord = new DiscordContractServer();
  beforeAll(() => discord.start());
  afterAll(() => discord.stop());

  it('renders every report readably within Discord limits and keeps the screenshot', async () => {
    const summary = new DeadLetterSummaryReport();
    summary.count(
      buildEvent(
        'deadletter.jira-resolver-incidents',
        {
          consumer: 'jira-resolver-incidents',
          subject: 'incident.detected',
          stream_seq: 812,
          delivery_count: 10,
          reason: 'ticket gateway: tracker unavailable after 10 deliveries',
          kind: 'max_deliveries',
          raw: '{}',
          received_at: '2026-12-06T23:41:00.000Z',
        },
        'jira-resolver',
      ),
    );
    const built = await summary.build(new Date('2026-12-07T00:50:00Z'));
    if (built === null) throw new Error('the summary has a dead letter to report');
    const deadLetters = report(
      'deadletter-summary',
      'atlas',
      built.title,
      built.text,
      built.fields ?? {},
    );
    const config: DiscordConfig = {
      webhook_url: discord.webhookUrl,
      username: 'opscrew',
      role_ids: {},
      timeout_ms: 5000,
      colors_by_severity: {},
    };
    // The real path from atlas on: the forwarded notification, the real notifier, a Discord
    // that validates against its OpenAPI document and refuses what Discord would.
    const notifier = new DiscordNotifier({ config });
    const events = crewReports(deadLetters);
    for (const event of events) await sendAsTheOutboxWould(notifier, reportNotification(event));
    const bodies = discord.messages.map((m) => m.body);
    // The split one: more than one message, every other report exactly one.
    expect(bodies.length).toBe(events.length + 1);

    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'webhook-bodies.json'), JSON.stringify(bodies, null, 2));
    const html = discordMessagesHtml(bodies);
    writeFileSync(join(ARTIFACTS, 'reports.html'), html);

    const chromium = await launchHeadlessChromium();
    try {
      const page = await chromium.browser.newPage({ viewport: { width: 720, height: 900 } });
      await page.setContent(html);
      const embeds = bodies.flatMap((body) => body.embeds ?? []);
      expect(await page.locator('.embed').count()).toBe(embeds.length);
      for (const [index, embed] of embeds.entries()) {
        const shown = page.locator('.embed').nth(index);
        // The title is on screen, as sent.
        const title = shown.locator('.title');
        expect(await title.isVisible()).toBe(true);
        expect(await title.innerText()).toBe(displayedText(embed.title ?? ''));
        expect((embed.title ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
        // Every field is there, name and value.
        const fields = embed.fields ?? [];
        expect(await shown.locator('.field').count()).toBe(fields.length);
        for (const [f, field] of fields.entries()) {
          expect(await shown.locator('.field-name').nth(f).innerText()).toBe(
            displayedText(field.name ?? ''),
          );
          expect(await shown.locator('.field-value').nth(f).isVisible()).toBe(true);
        }
        if (embed.description)
          expect((await shown.locator('.description').innerText()).trim()).toBe(
            displayedText(embed.description).trim(),
          );
      }
      // Nothing runs off the side: every box wraps its text within its width.
      const overflowing = await page.$$eval(
        '.embed, .title, .description, .field, .footer',
        // The page's elements, as far as this check reads them (the DOM types are not in this build).
        (els: { scrollWidth: number; clientWidth: number; className: string }[]): string[] =>
          els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.className),
      );
      expect(overflowing).toEqual([]);
      // The split report reads as one: its parts' text is the whole text, in order.
      const slo = bodies
        .flatMap((body) => body.embeds ?? [])
        .filter((embed) => (embed.title ?? '').startsWith('SLO daily report'));
      expect(slo.length).toBeGreaterThan(1);
      const sloEvent = events.find((event) => event.kind === 'slo-daily');
      expect(
        slo
          .map((embed) => embed.description ?? '')
          .join('')
          .replace(/\s/g, ''),
      ).toBe(displayedText(sloEvent?.text ?? '').replace(/\s/g, ''));
      expect(slo.flatMap((embed) => embed.fields ?? [])).toHaveLength(25);
      await page.screenshot({ path: join(ARTIFACTS, 'reports.png'), fullPage: true });
      // One picture per message too: a whole day's reports are too tall to read at once.
      for (let index = 0; index < bodies.length; index += 1)
        await page
          .locator('.message')
          .nth(index)
          .screenshot({ path: join(ARTIFACTS, `message-${index + 1}.png`) });
    } finally {
      await chromium.close();
    }
  });
});
