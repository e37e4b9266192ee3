import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type MetricsSource } from '@opscrew/integrations';
import { RulesLlmClient } from '@opscrew/llm';
import { RecordingOutbox } from '@opscrew/testing';
import { QualityTracker } from '../quality/quality.tracker';
import { DetectionTriage } from './detection-triage';
import { OutboxIncidentAnnouncer } from './outbox-incident.announcer';
import { fingerprintFixture } from './testing/fingerprint.fixture';

const { config } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
const scrape: MetricsSource = {
  kind: 'scrape',
  collect: () => Promise.resolve({ at: '', samples: [], missing: [] }),
};

describe('OutboxIncidentAnnouncer', () => {
  /** An announcer over a recording outbox, triaging with `reasoning` on the scrape source. */
  const withTriage = (reasoning: ConstructorParameters<typeof DetectionTriage>[0]) => {
    const outbox = new RecordingOutbox();
    const announcer = new OutboxIncidentAnnouncer(
      outbox,
      config,
      quality(),
      new DetectionTriage(reasoning, scrape),
    );
    return { outbox, announcer };
  };
  const quality = () =>
    new QualityTracker(config.agents.get('ops-monitor')!.monitor!.quality_targets);

  it('one ticket and one alert per incident, then the detection triage as a ticket comment', async () => {
    const { outbox, announcer } = withTriage(new RulesLlmClient());
    await announcer.opened(fingerprintFixture());
    await announcer.settled();
    expect(outbox.commands.map((c) => c.kind)).toEqual([
      'ticket.create',
      'notify',
      'ticket.comment',
    ]);
    const [create, , comment] = outbox.commands;
    if (create?.kind !== 'ticket.create' || comment?.kind !== 'ticket.comment')
      throw new Error('order');
    expect(comment.idempotency_key).toBe('triage:INC-20261125-001');
    expect(comment.ticket).toEqual({ idempotency_key: create.draft.idempotency_key });
    expect(comment.text).toMatch(
      /^Detection triage \(rules, from ops-monitor\.detection\): probable cause: cart: /,
    );
  });

  it('a re-announcement (crash, redelivery) adds no second ticket and no second comment', async () => {
    const { outbox, announcer } = withTriage(new RulesLlmClient());
    await announcer.opened(fingerprintFixture());
    await announcer.opened(fingerprintFixture());
    await announcer.settled();
    expect(outbox.commands.map((c) => c.kind)).toEqual([
      'ticket.create',
      'notify',
      'ticket.comment',
    ]);
  });

  it('a failing triage costs the comment, never the ticket or the alert', async () => {
    const { outbox, announcer } = withTriage({
      kind: 'anthropic',
      triageSummary: () => Promise.reject(new Error('model down')),
    });
    await announcer.opened(fingerprintFixture());
    await announcer.settled();
    expect(outbox.commands.map((c) => c.kind)).toEqual(['ticket.create', 'notify']);
  });

  it('without a triage: ticket and alert only', async () => {
    const outbox = new RecordingOutbox();
    await new OutboxIncidentAnnouncer(outbox, config, quality()).opened(fingerprintFixture());
    expect(outbox.commands.map((c) => c.kind)).toEqual(['ticket.create', 'notify']);
  });
});
