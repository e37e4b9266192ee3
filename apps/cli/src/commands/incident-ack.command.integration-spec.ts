import { ConfigFixture } from '@opscrew/config/testing';
import {
  buildEvent,
  type EscalationRecord,
  IncidentRecord,
  KV_BUCKETS,
  SUBJECTS,
} from '@opscrew/contracts';
import { EscalationService, openEscalationKv } from '@opscrew/guardrails';
import {
  EventPublisher,
  IncidentLedger,
  KvFactory,
  type NatsConnectionService,
  type TypedKv,
} from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout, RecordingAudit, RecordingOutbox } from '@opscrew/testing';
import { escalationConfig } from '../../../../libs/guardrails/src/escalation/testing';
import { EXIT_FAILURE, EXIT_OK } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { incidentAck } from './incident-ack.command';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

/** Compressed chain: L2 after 1.2 s, L3 1.8 s after that. */
const CONFIG = escalationConfig({ L1: 0.02, L2: 0.03, L3: 0.02 });
const TICK_MS = 100;

const id = (n: number): string => `INC-20250131-${String(n).padStart(3, '0')}`;

describe('opscrew incident ack against NATS', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  let bus: NatsConnectionService;
  let kv: TypedKv<EscalationRecord>;
  let ledger: IncidentLedger;
  let service: EscalationService;
  const outbox = new RecordingOutbox();

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'ack-test'));
    // The CLI reads the same config as the crew; this copy points it at the test namespace.
    fixture.patch(
      'opscrew.json5',
      "stream: 'OPS',",
      `stream: 'OPS',\n    namespace: '${namespace}',`,
    );
    const factory = new KvFactory(bus);
    kv = await openEscalationKv(factory);
    ledger = new IncidentLedger(
      await factory.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    service = new EscalationService({
      kv,
      outbox,
      publisher: new EventPublisher(bus, 'jira-resolver'),
      audit: new RecordingAudit(),
      config: CONFIG,
    });
    service.start(TICK_MS);
  });

  afterAll(async () => {
    await service.stop();
    await removeTestTopology(bus);
    await bus.close();
    fixture.remove();
  });

  async function detect(n: number): Promise<void> {
    await ledger.open(
      buildEvent(
        SUBJECTS.incidentDetected,
        {
          incident_id: id(n),
          fingerprint: `checkout:high_error_rate:${n}`,
          service: 'checkout',
          symptom: 'high_error_rate',
          severity: 'high',
          value: 0.12,
          detected_at: new Date().toISOString(),
        },
        'ops-monitor',
      ),
    );
  }

  async function record(n: number): Promise<EscalationRecord | null> {
    return (await kv.get(id(n)))?.value ?? null;
  }

  /** The stream's messages on one logical subject, parsed. */
  async function events<T>(subject: string): Promise<T[]> {
    const jsm = await bus.jetstreamManager();
    const stream = bus.subjects.stream();
    const { state } = await jsm.streams.info(stream);
    const found: T[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      // Whoever published it (the subject's last token names the publisher).
      if (bus.subjects.fromWire(message.subject)?.logical === subject)
        found.push(message.json<T>());
    }
    return found;
  }

  /** The stream's `incident.updated` events about one incident. */
  async function updates(n: number): Promise<{ id: string; source: string; note?: string }[]> {
    const found = await events<{ id: string; source: string; note?: string; incident_id: string }>(
      SUBJECTS.incidentUpdated,
    );
    return found
      .filter((event) => event.incident_id === id(n))
      .map(({ id: eventId, source, note }) => ({ id: eventId, source, ...(note ? { note } : {}) }));
  }

  const ack = async (
    n: number | string,
    by = 'alice',
  ): Promise<{ code: number; io: RecordingIo }> => {
    const io = new RecordingIo();
    const code = await incidentAck(
      typeof n === 'number' ? id(n) : n,
      { by, config: fixture.dir },
      io,
    );
    return { code, io };
  };

  it('stops a running chain at L2: no L3 afterwards, the ledger hears of it once', async () => {
    await detect(1);
    await service.open({
      incident_id: id(1),
      service: 'checkout',
      symptom: 'high_error_rate',
      severity: 'high',
    });
    await eventually(async () => (await record(1))?.level === 'L2', 10_000, 20);

    const first = await ack(1);
    expect(first.io.stderr).toEqual([]);
    expect(first.io.stdout).toEqual([`acknowledged ${id(1)}: escalation stopped at L2 (by alice)`]);
    expect(first.code).toBe(EXIT_OK);

    // Well past L3's deadline (1.8 s): the chain stays stopped.
    const l2 = await record(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await record(1)).toMatchObject({ level: 'L2', state: 'acked', closed_by: 'alice' });
    expect(l2?.deadline_at && Date.now() > Date.parse(l2.deadline_at)).toBe(true);
    expect(outbox.created.filter((key) => key.includes(id(1)))).toEqual([
      `transition:${id(1)}:escalated`,
      `comment:${id(1)}:escalated:L2`,
      `escalation:${id(1)}:L2`,
    ]);

    const second = await ack(1, 'bob');
    expect(second.code).toBe(EXIT_OK);
    expect(second.io.stdout).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${id(1)} is not escalating \\(acked by alice at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`,
        ),
      ),
    ]);
    expect(await updates(1)).toEqual([
      {
        id: `incident.updated.${id(1)}.acked`,
        source: 'cli',
        note: 'acknowledged by alice (escalation stopped at L2)',
      },
    ]);
    // The audit trail of the ack, from the CLI, under the chain's owner.
    const audits = await events<{ source: string; action: string; result: string }>(
      'audit.jira-resolver',
    );
    expect(audits.filter((a) => a.result.startsWith(id(1)))).toEqual([
      expect.objectContaining({
        source: 'cli',
        action: 'escalation.acked',
        result: `${id(1)}: acked by alice at L2; chain stopped`,
      }),
    ]);
  });

  it('an ack before the chain opened keeps it from starting', async () => {
    await detect(2);
    const result = await ack(2, 'carol');
    expect(result.io.stdout).toEqual([
      `acknowledged ${id(2)}: escalation stopped at L1 (by carol)`,
    ]);
    expect(result.code).toBe(EXIT_OK);
    const opened = await service.open({
      incident_id: id(2),
      service: 'checkout',
      symptom: 'high_error_rate',
      severity: 'high',
    });
    expect(opened).toMatchObject({ created: false, record: { state: 'acked' } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(outbox.created.filter((key) => key.includes(id(2)))).toEqual([]);
  });

  it('a resolved escalation says by whom and when', async () => {
    await detect(3);
    await service.open({
      incident_id: id(3),
      service: 'checkout',
      symptom: 'high_error_rate',
      severity: 'high',
    });
    await service.close(id(3), 'resolved', 'jira-resolver', 'verified');
    const result = await ack(3);
    expect(result.code).toBe(EXIT_OK);
    expect(result.io.stdout).toEqual([
      expect.stringMatching(
        new RegExp(`^${id(3)} is not escalating \\(resolved by jira-resolver at .+Z\\)$`),
      ),
    ]);
    expect(await updates(3)).toEqual([]);
  });

  it('an incident nobody knows: exit 1', async () => {
    const result = await ack(999);
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.io.stdout).toEqual([]);
    expect(result.io.stderr).toEqual([`unknown incident ${id(999)}`]);
  });
});
