import { type INestApplication } from '@nestjs/common';
import { type AgentNotices } from '@opscrew/agent-core';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { EventConsumer, EventPublisher, type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  startBusApp,
  testNamespace,
} from '@opscrew/messaging/testing';
import { type Notification } from '@opscrew/ports';
import { AtlasBusController } from '../atlas-bus.controller';
import { LedgerRecorder } from '../ledger/ledger-recorder.service';
import { PostmortemWriter } from '../postmortems/postmortem-writer.service';
import { DeadLetterSummaryReport } from './dead-letter-summary.report';
import { ReportForwarder } from './report-forwarder.service';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * atlas's `atlas-reports` and `atlas-deadletters` durables on a real JetStream: each agent's
 * report becomes one notification in the (idempotent) outbox however often it is published,
 * and a message a consumer gives up on is counted for the dead-letter summary.
 */
describe('atlas forwards reports and counts dead letters (real JetStream)', () => {
  let bus: NatsConnectionService;
  let app: INestApplication;
  const enqueued: Notification[] = [];
  const keys = new Set<string>();
  const summary = new DeadLetterSummaryReport();

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'report-forwarding-test'));
    const notices: AgentNotices = {
      enqueue: ({ notification }) => {
        // The shared outbox is idempotent by key: the first enqueue wins.
        const created = !keys.has(notification.idempotency_key);
        keys.add(notification.idempotency_key);
        if (created) enqueued.push(notification);
        return Promise.resolve({ created });
      },
    };
    const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
    app = await startBusApp({
      consumer: new EventConsumer(bus, new EventPublisher(bus, 'atlas')),
      controllers: [AtlasBusController],
      providers: [
        { provide: LedgerRecorder, useValue: { record: () => Promise.resolve() } },
        { provide: PostmortemWriter, useValue: { draft: () => Promise.resolve() } },
        { provide: ReportForwarder, useValue: new ReportForwarder(loaded, notices) },
        { provide: DeadLetterSummaryReport, useValue: summary },
      ],
    });
  });

  afterAll(async () => {
    await app.close();
    await removeTestTopology(bus);
    await bus.close();
  });

  it('turns each agent report into one notification, a redelivery or republish into none more', async () => {
    const monitor = new EventPublisher(bus, 'ops-monitor');
    const resolver = new EventPublisher(bus, 'jira-resolver');
    const daily = {
      kind: 'ops-monitor-daily',
      title: 'ops-monitor daily report 2026-12-07',
      text: 'Last 24 h: 0 incident(s) opened.',
      fields: { opened: 0 },
    };
    await monitor.publish('report.ops-monitor-daily', daily, { id: 'report.ops-monitor-daily.t1' });
    // The same tick again (a second replica, a retried publish): the stream stores it once.
    await monitor.publish('report.ops-monitor-daily', daily, { id: 'report.ops-monitor-daily.t1' });
    await resolver.publish(
      'report.jira-resolver-daily',
      { kind: 'jira-resolver-daily', title: 'jira-resolver daily', text: '0 ticket(s) worked.' },
      { id: 'report.jira-resolver-daily.t1' },
    );
    // An event-log report: not a scheduled one, not forwarded.
    await monitor.publish('report.data-quality', {
      kind: 'data-quality',
      title: 'data_quality: cart p99 missing',
      text: 'no sample',
    });
    await eventually(() => enqueued.length >= 2, 10_000);
    await new Promise((done) => setTimeout(done, 500));
    expect(enqueued.map((n) => [n.idempotency_key, n.kind, n.title])).toEqual([
      ['report:report.ops-monitor-daily.t1', 'report', 'ops-monitor daily report 2026-12-07'],
      ['report:report.jira-resolver-daily.t1', 'report', 'jira-resolver daily'],
    ]);
  });

  it('counts a report nobody can read as a dead letter for the next summary', async () => {
    // A malformed report on ops-monitor's own subject: atlas-reports dead-letters it.
    const nc = bus.connection();
    nc.publish(
      bus.subjects.toPublishWire('report.ops-monitor-daily', 'ops-monitor'),
      new TextEncoder().encode(
        JSON.stringify({ schema: 1, id: 'bad-report', source: 'ops-monitor' }),
      ),
    );
    await nc.flush();
    await eventually(async () => (await summary.build(new Date())) !== null, 15_000);
    const report = await summary.build(new Date());
    expect(report?.text).toContain('- atlas-reports · schema ×1');
  });
});
