import { ConfigFixture } from '@opscrew/config/testing';
import {
  buildEvent,
  IncidentRecord,
  type IncidentReportedEvent,
  KV_BUCKETS,
} from '@opscrew/contracts';
import { IncidentLedger, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import { openTestBus, removeTestTopology, testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { RecordingIo } from '../testing/recording-io';
import { incidentInject, type InjectOptions } from './incident-inject.command';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

/**
 * `opscrew incident inject` against the real JetStream: it reports (incident.reported) and
 * never mints an incident; with --wait it finds the incident its report joined in the ledger.
 */
describe('opscrew incident inject against NATS', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  let bus: NatsConnectionService;
  let ledger: IncidentLedger;

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'inject-test'));
    fixture.patch(
      'opscrew.json5',
      "stream: 'OPS',",
      `stream: 'OPS',\n    namespace: '${namespace}',`,
    );
    ledger = new IncidentLedger(
      await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await bus.close();
    fixture.remove();
  });

  const inject = async (
    options: Omit<InjectOptions, 'config'>,
  ): Promise<{ code: number; io: RecordingIo }> => {
    const io = new RecordingIo();
    const code = await incidentInject({ ...options, config: fixture.dir }, io);
    return { code, io };
  };

  async function reports(): Promise<IncidentReportedEvent[]> {
    const jsm = await bus.jetstreamManager();
    const stream = bus.subjects.stream();
    // The CLI publishes as its own user: `incident.reported.cli`.
    const wire = bus.subjects.toPublishWire('incident.reported', 'cli');
    const { state } = await jsm.streams.info(stream);
    const found: IncidentReportedEvent[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if (message.subject === wire) found.push(message.json<IncidentReportedEvent>());
    }
    return found;
  }

  it('publishes incident.reported (source cli, reporter cli, alias resolved, a fresh dedup key) and no incident', async () => {
    const { code, io } = await inject({ service: 'cartservice', symptom: 'high_error_rate' });
    expect(io.stderr).toEqual([]);
    expect(code).toBe(EXIT_OK);
    expect(io.stdout).toEqual([
      expect.stringMatching(
        /^reported incident\.reported: cart high_error_rate = 0\.12, severity from the alerting bands, dedup key cli-[0-9a-f-]{36} \(event \S+, stream seq \d+\)$/,
      ),
    ]);
    const [report] = await reports();
    expect(report).toMatchObject({
      source: 'cli',
      reporter: 'cli',
      service: 'cart',
      symptom: 'high_error_rate',
      value: 0.12,
      status: 'firing',
    });
    expect(report?.severity).toBeUndefined();
    expect(io.stdout[0]).toContain(`dedup key ${report?.dedup_key ?? '?'}`);
    expect(await ledger.list()).toEqual([]);
  });

  it('with --wait, prints the incident the report joined once the ledger shows it', async () => {
    const pending = inject({
      service: 'payment',
      symptom: 'high_latency',
      value: '6500',
      severity: 'high',
      dedupKey: 'deploy-1234',
      wait: '10',
    });
    // What ops-monitor and atlas do with the report, a moment later.
    await new Promise((resolve) => setTimeout(resolve, 700));
    await ledger.open(
      buildEvent(
        'incident.detected',
        {
          incident_id: 'INC-20261206-007',
          fingerprint: 'payment:high_latency',
          service: 'payment',
          symptom: 'high_latency',
          severity: 'high',
          value: 6500,
          detected_at: new Date().toISOString(),
          reporters: ['cli'],
          dedup_keys: ['deploy-1234'],
        },
        'ops-monitor',
      ),
    );
    const { code, io } = await pending;
    expect(io.stderr).toEqual([]);
    expect(code).toBe(EXIT_OK);
    expect(io.stdout[1]).toBe(
      'joined INC-20261206-007: payment:high_latency (high, detected, count 1)',
    );
  });

  it('with --wait, says so (exit 1) when no incident shows its key in time', async () => {
    const { code, io } = await inject({
      service: 'ad',
      symptom: 'oom_kill',
      dedupKey: 'nobody-folds-this',
      wait: '1',
    });
    expect(code).toBe(EXIT_FAILURE);
    expect(io.stderr).toEqual([
      'opscrew incident inject: no incident in the ledger carries dedup key nobody-folds-this after 1 s (are ops-monitor and atlas running? a refused report is in deadletter.ops-monitor-reports)',
    ]);
  });

  it('refuses a bad dedup key or wait before connecting (exit 2)', async () => {
    const { code, io } = await inject({
      service: 'ad',
      symptom: 'oom_kill',
      dedupKey: 'has space',
      wait: '-1',
    });
    expect(code).toBe(EXIT_INVALID);
    expect(io.stderr).toEqual([
      '--dedup-key: must be printable ASCII without spaces, at most 255 characters, got "has space"',
      '--wait: must be whole seconds between 0 and 600, got "-1"',
    ]);
  });
});
