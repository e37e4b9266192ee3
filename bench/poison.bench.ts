import { cpus, loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import { type EventPayloads, type IncidentDetectedEvent } from '@opscrew/contracts';
import {
  type ConsumerHandle,
  EventConsumer,
  EventPublisher,
  NatsConnectionService,
  provisionAll,
  removeBusTopology,
} from '@opscrew/messaging';
import { emit, nowMs, round } from './bench-output';

/** What the issue measured before: 86 s for the valid incident behind 10,000 bad ones. */
const TARGET_DELAY_MS = 1_000;
/** Publishes between flushes while flooding. */
const PUBLISH_WINDOW = 500;

type Scenario = 'backlog' | 'live';

/**
 * Poison: a burst of invalid messages on `incident.detected` (what jira-resolver-incidents
 * consumes), then one valid incident, through the real consumer loop and a real NATS. The
 * figure is the delay from the valid incident's publish to its handler starting. Two cases:
 * `live` (the consumer runs while the burst arrives, as jira-resolver would) and `backlog`
 * (the consumer starts only after the burst and the valid incident are stored: all of the
 * burst is ahead of it). Target < 1 s for both. Also: the records the burst left in the
 * dead-letter stream (sampled: a handful, not one per message) and in the event stream (none).
 */
export async function benchPoison(natsUrl: string, invalid = 10_000): Promise<void> {
  Logger.overrideLogger(['error']);
  for (const scenario of ['live', 'backlog'] as const) {
    await runScenario(natsUrl, scenario, invalid);
  }
}

async function runScenario(natsUrl: string, scenario: Scenario, invalid: number): Promise<void> {
  const bus = new NatsConnectionService({
    servers: [natsUrl],
    name: `bench-poison-${scenario}`,
    namespace: `poison${Date.now().toString(36)}`,
    wait_on_first_connect: false,
  });
  await bus.connect();
  const handles: ConsumerHandle[] = [];
  try {
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    const publisher = new EventPublisher(bus, 'ops-monitor');
    const consumers = new EventConsumer(bus, new EventPublisher(bus, 'jira-resolver'));
    const valid = incident();
    let validSeenAt = 0;
    let others = 0;
    const start = async (): Promise<void> => {
      handles.push(
        await consumers.consume('jira-resolver-incidents', (event: IncidentDetectedEvent) => {
          if (event.incident_id === valid.incident_id) validSeenAt = nowMs();
          else others += 1;
        }),
      );
    };

    if (scenario === 'live') await start();
    const floodStarted = nowMs();
    await flood(bus, invalid);
    const floodMs = nowMs() - floodStarted;
    const published = await publisher.publish('incident.detected', valid);
    const validPublishedAt = nowMs();
    if (scenario === 'backlog') await start();

    const deadline = nowMs() + 120_000;
    while (validSeenAt === 0 && nowMs() < deadline) await sleep(1);
    const delayMs = validSeenAt === 0 ? null : validSeenAt - validPublishedAt;
    // Every bad message settled (terminated): nothing left pending or unacked.
    const jsm = await bus.jetstreamManager();
    const stream = bus.subjects.stream();
    let drainedMs: number | null = null;
    while (nowMs() < deadline) {
      const info = await jsm.consumers.info(stream, 'jira-resolver-incidents');
      if (info.num_pending === 0 && info.num_ack_pending === 0) {
        drainedMs = nowMs() - validPublishedAt;
        break;
      }
      await sleep(20);
    }
    await Promise.all(handles.splice(0).map((handle) => handle.stop()));
    const deadLetters = await jsm.streams.info(bus.subjects.deadLetterStream());
    // The stream's total counts every subject: count the dead-letter subjects it holds.
    const eventStream = await jsm.streams.info(stream, {
      subjects_filter: bus.subjects.toWire('deadletter.>'),
    });
    const inEventStream = Object.values(eventStream.state.subjects ?? {}).reduce(
      (sum, n) => sum + n,
      0,
    );
    emit({
      bench: 'poison',
      scenario,
      invalid_messages: invalid,
      flood_publish_ms: round(floodMs, 1),
      valid_seq: published.seq,
      valid_delay_ms: delayMs === null ? null : round(delayMs, 1),
      target_ms: TARGET_DELAY_MS,
      all_settled_ms: drainedMs === null ? null : round(drainedMs, 1),
      deadletter_records: deadLetters.state.messages,
      deadletter_bytes: deadLetters.state.bytes,
      deadletters_in_event_stream: inEventStream,
      handler_calls_for_invalid: others,
      // The figure depends on how busy the machine is: say so next to it.
      load_avg_1m: round(loadavg()[0] ?? 0),
      cpus: cpus().length,
      ok:
        delayMs !== null &&
        delayMs < TARGET_DELAY_MS &&
        others === 0 &&
        inEventStream === 0 &&
        deadLetters.state.messages < 100,
    });
  } finally {
    await Promise.all(handles.map((handle) => handle.stop()));
    await removeBusTopology(bus);
    await bus.close();
  }
}

/**
 * `count` messages jira-resolver cannot take, sent the way a script on the bus would (plain
 * NATS publishes the stream captures; no JetStream acks to wait for): JSON that claims to be an
 * incident but breaks its contract (no incident id, a severity that does not exist), the
 * costliest kind to reject, since it is parsed and validated field by field. Returns once the
 * stream holds all of them, so the valid incident published next is stored behind them.
 */
async function flood(bus: NatsConnectionService, count: number): Promise<void> {
  const nc = bus.connection();
  // On ops-monitor's own subject: a user allowed to publish incident.detected, a bad payload.
  const subject = bus.subjects.toPublishWire('incident.detected', 'ops-monitor');
  const encoder = new TextEncoder();
  const jsm = await bus.jetstreamManager();
  const before = (await jsm.streams.info(bus.subjects.stream())).state.messages;
  for (let i = 0; i < count; i++) {
    nc.publish(
      subject,
      encoder.encode(
        JSON.stringify({
          schema: 1,
          id: `poison-${i}`,
          at: new Date().toISOString(),
          source: 'ops-monitor',
          service: 'shipping',
          symptom: 'high_latency',
          severity: 'apocalyptic',
          value: i,
        }),
      ),
    );
    // Let the socket drain now and then instead of buffering the whole burst in memory.
    if (i % PUBLISH_WINDOW === PUBLISH_WINDOW - 1) await nc.flush();
  }
  await nc.flush();
  const deadline = nowMs() + 30_000;
  while ((await jsm.streams.info(bus.subjects.stream())).state.messages < before + count) {
    if (nowMs() > deadline)
      throw new Error(`poison bench: the stream did not store ${count} messages within 30 s`);
    await sleep(5);
  }
}

function incident(): EventPayloads['incident.detected'] {
  const now = new Date();
  return {
    incident_id: `INC-${now.toISOString().slice(0, 10).replace(/-/g, '')}-001`,
    fingerprint: 'shipping:high_latency',
    service: 'shipping',
    symptom: 'high_latency',
    severity: 'high',
    value: 2400,
    detected_at: now.toISOString(),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
