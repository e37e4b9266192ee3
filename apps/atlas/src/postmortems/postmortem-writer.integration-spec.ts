import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type INestApplication } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { IncidentRecord, KV_BUCKETS, SUBJECTS } from '@opscrew/contracts';
import { type LlmClient, RulesLlmClient } from '@opscrew/llm';
import {
  EventConsumer,
  EventPublisher,
  IncidentLedger,
  KvFactory,
  type NatsConnectionService,
} from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  startBusApp,
  testNamespace,
} from '@opscrew/messaging/testing';
import { type AuditEntry } from '@opscrew/ports';
import { fileSandboxFor } from '@opscrew/sandbox';
import { AtlasBusController } from '../atlas-bus.controller';
import { LedgerRecorder } from '../ledger/ledger-recorder.service';
import { DeadLetterSummaryReport } from '../reports/dead-letter-summary.report';
import { ReportForwarder } from '../reports/report-forwarder.service';
import { PostmortemWriter } from './postmortem-writer.service';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * atlas's postmortem drafts on a real JetStream: an incident that ends gets a
 * Markdown draft from the ledger's timeline — after the ledger has applied the
 * ending, whichever consumer runs first — written in atlas's sandbox and
 * audited; a later ending rewrites it.
 */
describe('PostmortemWriter against JetStream', () => {
  let fixture: ConfigFixture;
  let bus: NatsConnectionService;
  let ledger: IncidentLedger;
  let publisher: EventPublisher;
  /** Each event from the agent that publishes it: consumers refuse any other sender. */
  let monitor: EventPublisher;
  let resolver: EventPublisher;
  let consumers: EventConsumer;
  let app: INestApplication;
  let audit: AuditEntry[];
  let reasoning: Pick<LlmClient, 'kind' | 'postmortemDraft'>;
  let writer: PostmortemWriter;

  const draftPath = (id: string) => join(fixture.projectDir, 'var', 'postmortems', `${id}.md`);

  beforeEach(async () => {
    fixture = ConfigFixture.shipped();
    ({ bus } = await openTestBus(NATS_URL, testNamespace(), 'postmortem-test'));
    ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    publisher = new EventPublisher(bus, 'atlas');
    monitor = new EventPublisher(bus, 'ops-monitor');
    resolver = new EventPublisher(bus, 'jira-resolver');
    consumers = new EventConsumer(bus, publisher);
    audit = [];
    reasoning = new RulesLlmClient();
    const loaded = loadConfig({ configDir: fixture.dir, env: {} });
    writer = new PostmortemWriter(
      ledger,
      {
        kind: 'rules',
        postmortemDraft: (incident, history) => reasoning.postmortemDraft(incident, history),
      },
      {
        record: (entry) => {
          audit.push(entry);
          return Promise.resolve();
        },
      },
      fileSandboxFor(loaded.config, loaded.projectRoot, 'atlas'),
      loaded,
    );
    // atlas's bus handlers as the app runs them: AtlasBusController on the JetStream transport.
    app = await startBusApp({
      consumer: consumers,
      controllers: [AtlasBusController],
      providers: [
        { provide: LedgerRecorder, useValue: new LedgerRecorder(ledger) },
        { provide: PostmortemWriter, useValue: writer },
        // Its report and dead-letter handlers are not this spec's (report-forwarding's are).
        { provide: ReportForwarder, useValue: new ReportForwarder(loaded, null) },
        { provide: DeadLetterSummaryReport, useValue: new DeadLetterSummaryReport() },
      ],
      // Short redelivery waits: the test must not sit through production backoff.
      consume: { 'atlas-postmortems': { retry: { initial_delay_ms: 100, max_delay_ms: 200 } } },
    });
  });

  afterEach(async () => {
    await app.close();
    await removeTestTopology(bus);
    await bus.close();
    fixture.remove();
  });

  const detect = (id: string) =>
    monitor.publish(SUBJECTS.incidentDetected, {
      incident_id: id,
      fingerprint: `cart:high_error_rate:${id}`,
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
      value: 0.31,
      threshold: 0.05,
      metric: 'error_rate_ratio',
      detected_at: new Date().toISOString(),
    });

  it('drafts a postmortem when an incident is resolved: the whole timeline, in the sandbox, audited', async () => {
    await detect('INC-20261125-001');
    await publisher.publish(SUBJECTS.incidentUpdated, {
      incident_id: 'INC-20261125-001',
      fingerprint: 'cart:high_error_rate:INC-20261125-001',
      phase: 'actioned',
      note: 'restarted cart under lease service.cart revision 7',
    });
    await resolver.publish(SUBJECTS.incidentResolved, {
      incident_id: 'INC-20261125-001',
      resolved_by: 'jira-resolver',
      note: 'error rate 0.1 % for 3 checks in a row',
    });
    await eventually(() => existsSync(draftPath('INC-20261125-001')), 10_000);
    const draft = readFileSync(draftPath('INC-20261125-001'), 'utf8');
    // Ledger text is Markdown-escaped: a note from a ticket cannot restructure the document.
    expect(draft).toMatch(/^# Postmortem \(draft\): INC-20261125-001 — cart high\\_error\\_rate\n/);
    expect(draft).toContain('resolved by jira-resolver: error rate 0.1 % for 3 checks in a row');
    expect(draft).toContain('restarted cart under lease service.cart revision 7');
    expect(audit).toEqual([
      expect.objectContaining({
        agent: 'atlas',
        action: 'postmortem.draft',
        verdict: 'allowed',
        incident_id: 'INC-20261125-001',
        result:
          'rules draft of INC-20261125-001 (resolved, 3 timeline steps) written to var/postmortems/INC-20261125-001.md',
      }),
    ]);
    // Atomic: no temp file left beside the draft.
    expect(readdirSync(join(fixture.projectDir, 'var', 'postmortems'))).toEqual([
      'INC-20261125-001.md',
    ]);
    expect(await writer.read('INC-20261125-001')).toBe(draft);
  });

  it('an escalation drafts it; a later resolution rewrites it with the fuller timeline', async () => {
    await detect('INC-20261125-002');
    await resolver.publish(SUBJECTS.incidentEscalated, {
      incident_id: 'INC-20261125-002',
      level: 'L2',
      reason: 'the fix did not hold',
      mention: '@oncall',
    });
    await eventually(() => existsSync(draftPath('INC-20261125-002')), 10_000);
    expect(readFileSync(draftPath('INC-20261125-002'), 'utf8')).toContain('escalated to a human');
    await resolver.publish(SUBJECTS.incidentResolved, {
      incident_id: 'INC-20261125-002',
      resolved_by: 'human',
      note: 'flag cartFailure turned off',
    });
    // The draft is written, then audited: wait for both, or the audit is read a moment early.
    await eventually(
      () =>
        readFileSync(draftPath('INC-20261125-002'), 'utf8').includes(
          'flag cartFailure turned off',
        ) && audit.length === 2,
      10_000,
    );
    expect(audit.map((entry) => entry.result)).toEqual([
      expect.stringMatching(/\(escalated, 2 timeline steps\)/),
      expect.stringMatching(/\(resolved, 3 timeline steps\)/),
    ]);
  });

  it('scrubs secrets a note carried into the timeline before the draft is written', async () => {
    // Built at run time: no secret-shaped literal in the source.
    const password = ['hunter', '2', 'Zq8vK2mN4x'].join('');
    const token = ['ghp', 'Zq8vK2mN4xR7tY1wB5cD9eF3gH6jL0pSaQ2w'].join('_');
    await detect('INC-20261125-004');
    await resolver.publish(SUBJECTS.incidentResolved, {
      incident_id: 'INC-20261125-004',
      resolved_by: 'jira-resolver',
      note: `checked https://admin:${password}@db.internal:5432 with ${token}`,
    });
    await eventually(() => existsSync(draftPath('INC-20261125-004')), 10_000);
    const draft = readFileSync(draftPath('INC-20261125-004'), 'utf8');
    expect(draft).not.toContain(password);
    expect(draft).not.toContain(token);
    expect(draft).toContain('REDACTED');
  });

  it('loses nothing when the draft cannot be written: retried until it can', async () => {
    let failures = 2;
    reasoning = {
      kind: 'rules',
      postmortemDraft: (incident, history) =>
        failures-- > 0
          ? Promise.reject(new Error('model overloaded'))
          : new RulesLlmClient().postmortemDraft(incident, history),
    };
    await detect('INC-20261125-003');
    await resolver.publish(SUBJECTS.incidentResolved, {
      incident_id: 'INC-20261125-003',
      resolved_by: 'jira-resolver',
    });
    await eventually(() => existsSync(draftPath('INC-20261125-003')), 15_000);
    expect(failures).toBe(-1);
    expect(audit).toHaveLength(1);
  });

  it('never turns an id into a path: only ledger-shaped ids are read or written', async () => {
    await expect(writer.read('../../etc/passwd')).rejects.toThrow(/not an incident id/);
    await expect(writer.draft('INC-20261125-004/../../x')).rejects.toThrow(/not an incident id/);
    expect(await writer.read('INC-20261125-099')).toBeNull();
  });

  it('ignores the other incident events', async () => {
    await detect('INC-20261125-005');
    await eventually(async () => (await ledger.get('INC-20261125-005')) !== null, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(draftPath('INC-20261125-005'))).toBe(false);
    expect(audit).toEqual([]);
  });
});
