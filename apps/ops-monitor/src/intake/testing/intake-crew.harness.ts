import { type INestApplication, Logger } from '@nestjs/common';
import { type ConfigFixture } from '@opscrew/config/testing';
import { type AnyEvent, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import { freePort, LocalTracker } from '@opscrew/integrations';
import {
  EventConsumer,
  EventPublisher,
  IncidentLedger,
  KvFactory,
  type NatsConnectionService,
} from '@opscrew/messaging';
import { openTestBus, removeTestTopology } from '@opscrew/messaging/testing';
import { type Ticket } from '@opscrew/ports';
import { StringCodec } from 'nats';
import { startOpsMonitor } from '../../main';
import { LedgerRecorder } from '../../../../atlas/src/ledger/ledger-recorder.service';

/**
 * The shipped config in a test namespace, as an overlay would change it for intake tests:
 * REST token on (the webhook needs one), and a ticket rate limit high enough that every
 * incident of a test storm gets its own ticket (10/h would fold the rest into a summary,
 * which the outbox's own tests cover).
 */
export function intakeConfig(fixture: ConfigFixture, namespace: string): void {
  fixture.patch(
    'opscrew.json5',
    "stream: 'OPS',",
    `stream: 'OPS',\n    namespace: '${namespace}',`,
  );
  fixture.patch(
    'opscrew.json5',
    "host: '${OPSCREW_HTTP_HOST}',",
    "host: '${OPSCREW_HTTP_HOST}',\n    api_token: '${OPSCREW_API_TOKEN}',",
  );
  fixture.patch(
    'project/thresholds/guardrails.json5',
    'jira_issues_per_hour: 10,',
    'jira_issues_per_hour: 500,',
  );
}

/** atlas's ledger recorder, in this process: the ledger follows the bus as in the crew. */
export async function startLedgerRecorder(
  bus: NatsConnectionService,
): Promise<{ ledger: IncidentLedger; consumer: EventConsumer }> {
  const ledger = new IncidentLedger(
    await new KvFactory(bus).open(KV_BUCKETS.incidents, { class: IncidentRecord }),
  );
  const consumer = new EventConsumer(bus, new EventPublisher(bus, 'atlas'));
  // The use case atlas's AtlasBusController runs for `atlas-ledger`, on the same durable.
  const recorder = new LedgerRecorder(ledger);
  await consumer.consume('atlas-ledger', (event, meta) => recorder.record(event, meta));
  return { ledger, consumer };
}

/** The tickets of the local tracker (what the outbox created), whatever their status. */
export async function tickets(bus: NatsConnectionService): Promise<Ticket[]> {
  const kv = new KvFactory(bus);
  const tracker = new LocalTracker(await kv.raw(KV_BUCKETS.tickets), {
    listKeys: () => kv.listKeys(KV_BUCKETS.tickets),
  });
  const all: Ticket[] = [];
  for (const key of await kv.listKeys(KV_BUCKETS.tickets)) {
    if (!/^OPS-\d+$/.test(key)) continue;
    const ticket = await tracker.get(key);
    if (ticket) all.push(ticket);
  }
  return all;
}

/** Every message stored on a logical subject (or family) of the namespace, decoded. */
export async function stored(bus: NatsConnectionService, subject: string): Promise<AnyEvent[]> {
  const jsm = await bus.jetstreamManager();
  // A family as it is; a subject from any publisher (`<subject>.<user>`, publisher-subject.ts).
  const wire = subject.endsWith('>')
    ? bus.subjects.toWire(subject)
    : bus.subjects.anyPublisher(subject);
  // Dead letters have their own stream (DEADLETTERS), events the event stream.
  const stream = bus.subjects.streamFor(subject);
  const info = await jsm.streams.info(stream, { subjects_filter: wire });
  const count = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  if (count === 0) return [];
  const consumer = await bus.jetstream().consumers.get(stream, { filterSubjects: wire });
  const out: AnyEvent[] = [];
  const codec = StringCodec();
  for (let i = 0; i < count; i++) {
    const message = await consumer.next({ expires: 2_000 });
    if (!message) break;
    out.push(JSON.parse(codec.decode(message.data)) as AnyEvent);
  }
  await consumer.delete();
  return out;
}

export interface IntakeCrewOptions {
  readonly natsUrl: string;
  readonly namespace: string;
  readonly fixture: ConfigFixture;
  /** The REST token (the webhook needs one). */
  readonly token: string;
  /** Names the test's bus connection. */
  readonly name: string;
  /** More config changes on top of intakeConfig, before the app starts. */
  readonly configure?: (fixture: ConfigFixture) => void;
}

/**
 * ops-monitor as it runs (the real app module, on a free loopback port) in a test namespace of
 * the real NATS, with atlas's ledger recorder beside it; `stop` puts everything back.
 */
export class IntakeCrew {
  private constructor(
    readonly bus: NatsConnectionService,
    readonly app: INestApplication,
    readonly ledger: IncidentLedger,
    private readonly recorder: EventConsumer,
    /** `http://127.0.0.1:<port>` of ops-monitor's REST API. */
    readonly base: string,
    private readonly options: IntakeCrewOptions,
  ) {}

  static async start(options: IntakeCrewOptions): Promise<IntakeCrew> {
    const { bus } = await openTestBus(options.natsUrl, options.namespace, options.name);
    intakeConfig(options.fixture, options.namespace);
    options.configure?.(options.fixture);
    const port = await freePort();
    const app = await startOpsMonitor({
      configDir: options.fixture.dir,
      env: {
        PORT: String(port),
        NATS_URL: options.natsUrl,
        OPSCREW_API_TOKEN: options.token,
        OPSCREW_LOG_LEVEL: 'warn',
      },
    });
    const { ledger, consumer } = await startLedgerRecorder(bus);
    Logger.overrideLogger(['error']);
    return new IntakeCrew(bus, app, ledger, consumer, `http://127.0.0.1:${port}`, options);
  }

  async stop(): Promise<void> {
    await this.recorder.stopAll();
    await this.app.close();
    await removeTestTopology(this.bus);
    await this.bus.close();
    this.options.fixture.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  }
}
