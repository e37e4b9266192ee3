import { loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import { FingerprintRecord, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import {
  counterSchema,
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  NatsConnectionService,
  provisionAll,
  removeBusTopology,
} from '@opscrew/messaging';
import { type Anomaly } from '../apps/ops-monitor/src/detection/anomaly';
import { IncidentManager } from '../apps/ops-monitor/src/incidents/incident-manager.service';
import { emit, nowMs, round } from './bench-output';

/**
 * The target, per replica: a storm's anomalies reach the ledger faster than any detector makes
 * them. A replica is one process on one core; the NATS server runs beside it.
 */
const TARGET_EVENTS_PER_S = 5000;

/**
 * Ledger throughput: anomaly events per second through dedup (CAS on the
 * fingerprint index) into KV, against the real NATS. Target ≥ 5,000/s per replica; the
 * number of incidents created must equal the number of distinct fingerprints.
 * The per-replica rate is one core's worth of this process's measured CPU per event: on the
 * shared 2-core test host the wall-clock rate (also printed) is bounded by the NATS server and
 * the other load on the same cores, not by the replica.
 */
export async function benchLedgerThroughput(
  natsUrl: string,
  events = 20_000,
  fingerprints = 1_000,
  concurrency = 64,
): Promise<void> {
  Logger.overrideLogger(['error']);
  const namespace = `bench${Date.now().toString(36)}`;
  const bus = new NatsConnectionService({
    servers: [natsUrl],
    name: 'bench-ledger',
    namespace,
    wait_on_first_connect: false,
  });
  await bus.connect();
  try {
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    const kv = new KvFactory(bus);
    let opened = 0;
    const manager = new IncidentManager(
      await kv.open(KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
      new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
      new IncidentIdAllocator(await kv.open(KV_BUCKETS.sequences, counterSchema)),
      new EventPublisher(bus, 'ops-monitor'),
      { opened: () => Promise.resolve(void opened++) },
      { dedupWindowMs: 3_600_000 },
    );
    const anomaly = (i: number): Anomaly => ({
      service: `svc-${i % fingerprints}`,
      symptom: 'high_error_rate',
      rule: 'absolute',
      metric: 'error_rate_ratio',
      value: 0.1 + (i % 7) / 100,
      threshold: 0.05,
      severity: 'high',
      informational: false,
      detail: 'bench',
    });
    let next = 0;
    const cpuBefore = process.cpuUsage();
    const started = nowMs();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < events) await manager.handle(anomaly(next++));
      }),
    );
    const seconds = (nowMs() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const ledger = new IncidentLedger(
      await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    const incidents = (await ledger.list()).length;
    const cpuUsPerEvent = (cpu.user + cpu.system) / events;
    const perReplica = 1e6 / cpuUsPerEvent;
    emit({
      bench: 'ledger_throughput',
      events,
      distinct_fingerprints: fingerprints,
      concurrency,
      seconds: round(seconds),
      events_per_s: Math.round(events / seconds),
      // This process's CPU per event (user + system): comparable between runs when other load
      // on a shared host makes the rate swing; the NATS server's share is not in it.
      cpu_us_per_event: Math.round(cpuUsPerEvent),
      // What one replica with a core of its own handles: 10^6 µs / CPU per event.
      per_replica_events_per_s: Math.round(perReplica),
      target_events_per_s: TARGET_EVENTS_PER_S,
      incidents_created: incidents,
      announced: opened,
      loadavg_1m: round(loadavg()[0] ?? 0),
      // Correct (one incident per fingerprint, each announced once) and fast enough per replica.
      ok:
        incidents === fingerprints && opened === fingerprints && perReplica >= TARGET_EVENTS_PER_S,
    });
  } finally {
    await removeBusTopology(bus);
    await bus.close();
  }
}
