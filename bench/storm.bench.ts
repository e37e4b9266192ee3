import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { FingerprintRecord, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import { openOutboxBucket, OutboxService, outboxOptions } from '@opscrew/guardrails';
import { ConsoleNotifier, LocalTracker } from '@opscrew/integrations';
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
import { OutboxIncidentAnnouncer } from '../apps/ops-monitor/src/announce/outbox-incident.announcer';
import { type Anomaly } from '../apps/ops-monitor/src/detection/anomaly';
import { IncidentManager } from '../apps/ops-monitor/src/incidents/incident-manager.service';
import { QualityTracker } from '../apps/ops-monitor/src/quality/quality.tracker';
import { emit, nowMs, round } from './bench-output';

/**
 * A storm: 50,000 anomalies over 500 fingerprints (500 services) through dedup, the ledger
 * and the outbox, with the shipped rate limits (10 tickets/h, 5 alerts/min)
 * and the embedded adapters (KV tickets, JSONL alerts). Expected: 500
 * incidents in the ledger (0 lost), ≤ 10 tickets, ≤ 5 alerts + summaries, the
 * rest folded into summaries.
 */
export async function benchStorm(
  natsUrl: string,
  repoRoot: string,
  anomalies = 50_000,
  fingerprints = 500,
): Promise<void> {
  Logger.overrideLogger(['error']);
  const { config } = loadConfig({ configDir: join(repoRoot, 'config'), env: {} });
  const services = [...config.services.watched.keys()];
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-storm-'));
  const jsonl = join(dir, 'notifications.jsonl');
  const bus = new NatsConnectionService({
    servers: [natsUrl],
    name: 'bench-storm',
    namespace: `storm${Date.now().toString(36)}`,
    wait_on_first_connect: false,
  });
  await bus.connect();
  try {
    await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
    });
    const kv = new KvFactory(bus);
    // Real time plus a jump: after the storm the clock moves past the alert window, as a minute of
    // waiting would, so the held alerts fold into their summary without the bench sleeping.
    let skippedMs = 0;
    const clock = { now: (): number => Date.now() + skippedMs };
    const outbox = new OutboxService({
      clock,
      bucket: await openOutboxBucket(bus),
      tracker: new LocalTracker(await kv.raw(KV_BUCKETS.tickets), {
        listKeys: () => kv.listKeys(KV_BUCKETS.tickets),
      }),
      notifier: new ConsoleNotifier({ jsonl_path: jsonl }),
      options: outboxOptions(config.thresholds.guardrails.rate_limits, { poll_interval_ms: 200 }),
    });
    const ledger = new IncidentLedger(
      await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord }),
    );
    const manager = new IncidentManager(
      await kv.open(KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
      ledger,
      new IncidentIdAllocator(await kv.open(KV_BUCKETS.sequences, counterSchema)),
      new EventPublisher(bus, 'ops-monitor'),
      new OutboxIncidentAnnouncer(
        outbox,
        config,
        new QualityTracker({
          accuracy_ratio: 0.9,
          completeness_ratio: 1,
          actionability_ratio: 0.95,
        }),
      ),
      { dedupWindowMs: 3_600_000 },
    );
    outbox.start();
    const anomaly = (i: number): Anomaly => {
      const n = i % fingerprints;
      return {
        service: `${services[n % services.length] ?? 'svc'}`,
        symptom:
          (
            [
              'high_error_rate',
              'high_latency',
              'error_rate_drift',
              'latency_drift',
              'high_cpu',
            ] as const
          )[Math.floor(n / services.length) % 5] ?? 'high_error_rate',
        rule: 'absolute',
        metric: 'error_rate_ratio',
        value: 0.2,
        threshold: 0.05,
        severity: 'high',
        informational: false,
        detail: 'storm',
      };
    };
    // 500 incidents need 500 services: symptoms of one service fold into its one incident
    // (alerting.dedup.key_fields: ['service']), so widen the service names, one per fingerprint.
    const distinct = (i: number): Anomaly => {
      const base = anomaly(i);
      return {
        ...base,
        service: `${base.service}-${Math.floor((i % fingerprints) / services.length)}`,
      };
    };
    let next = 0;
    const started = nowMs();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < anomalies) await manager.handle(distinct(next++));
      }),
    );
    const detectSeconds = (nowMs() - started) / 1000;
    // Let the outbox settle: nothing pending, only delivered / folded / held.
    const deadline = nowMs() + 60_000;
    for (;;) {
      const depth = await outbox.depth();
      const busy = depth
        .filter((entry) => entry.state === 'pending' || entry.state === 'sending')
        .reduce((sum, entry) => sum + entry.count, 0);
      if (busy === 0 || nowMs() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    skippedMs +=
      config.thresholds.guardrails.rate_limits.discord_messages_per_minute > 0 ? 61_000 : 0;
    for (let pass = 0; pass < 20; pass++) {
      await outbox.tick();
      const lines = readFileSync(jsonl, 'utf8');
      if (lines.includes('"kind":"summary"')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await outbox.stop();
    const depth = await outbox.depth();
    const count = (kind: string, state: string): number =>
      depth.find((entry) => entry.kind === kind && entry.state === state)?.count ?? 0;
    const lines = readFileSync(jsonl, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { kind: string });
    const inLedger = (await ledger.list()).length;
    const tickets = (await kv.listKeys(KV_BUCKETS.tickets)).filter((key) =>
      /^[A-Z]+-\d+$/.test(key),
    ).length;
    emit({
      bench: 'storm',
      anomalies,
      fingerprints,
      seconds_through_dedup: round(detectSeconds),
      anomalies_per_s: Math.round(anomalies / detectSeconds),
      incidents_in_ledger: inLedger,
      lost_from_ledger: fingerprints - inLedger,
      tickets_created: tickets,
      ticket_limit_per_hour: config.thresholds.guardrails.rate_limits.jira_issues_per_hour,
      alerts_sent: lines.filter((line) => line.kind === 'incident').length,
      summaries_sent: lines.filter((line) => line.kind === 'summary').length,
      alert_limit_per_minute: config.thresholds.guardrails.rate_limits.discord_messages_per_minute,
      folded: { tickets: count('ticket.create', 'folded'), alerts: count('notify', 'folded') },
      held: { tickets: count('ticket.create', 'held'), alerts: count('notify', 'held') },
      ok:
        inLedger === fingerprints &&
        tickets <= config.thresholds.guardrails.rate_limits.jira_issues_per_hour &&
        lines.some((line) => line.kind === 'summary') &&
        lines.filter((line) => line.kind === 'incident').length <=
          config.thresholds.guardrails.rate_limits.discord_messages_per_minute,
    });
  } finally {
    await removeBusTopology(bus);
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
