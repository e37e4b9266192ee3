import { Logger } from '@nestjs/common';
import { buildEvent, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import { IncidentLedger, KvFactory, type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { IncidentsView } from './incidents-view.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(60_000));

describe('IncidentsView against NATS KV (initial load, then watch updates)', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let kv: KvFactory;
  let ledger: IncidentLedger;
  const views: IncidentsView[] = [];

  const detect = (n: number) =>
    buildEvent(
      'incident.detected',
      {
        incident_id: `INC-20261206-${String(n).padStart(3, '0')}-7k2q`,
        fingerprint: `svc-${n}:high_error_rate`,
        service: `svc-${n}`,
        symptom: 'high_error_rate',
        severity: 'high',
        value: 0.2,
        detected_at: new Date(Date.UTC(2026, 11, 6, 10, 0, n)).toISOString(),
        ...(n % 2 === 0 ? { reporters: ['cli'], dedup_keys: [`k-${n}`] } : {}),
      },
      'ops-monitor',
    );
  const ids = (items: readonly IncidentRecord[] | undefined): string[] =>
    (items ?? []).map((r) => r.incident_id.slice(13, 16));
  const view = (): IncidentsView => {
    const v = new IncidentsView(kv);
    views.push(v);
    v.start();
    return v;
  };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'incidents-view'));
    kv = new KvFactory(bus);
    ledger = new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord }));
  });

  afterAll(async () => {
    for (const v of views) await v.stop();
    await removeTestTopology(bus);
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('is ready at once on an empty bucket, and answers null (read the ledger) before that', async () => {
    const v = new IncidentsView(kv);
    views.push(v);
    expect(v.page({}, 50, null)).toBeNull();
    v.start();
    await v.whenReady(5000);
    expect(v.page({}, 50, null)).toEqual({ items: [], next_cursor: null });
    await v.stop();
  });

  it('loads what is there, then follows creations, updates and deletions', async () => {
    for (let n = 1; n <= 30; n++) await ledger.open(detect(n));
    const v = view();
    await v.whenReady(10_000);
    expect(v.status()).toEqual({ ready: true, incidents: 30 });
    const first = v.page({}, 10, null);
    expect(ids(first?.items)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(30 - i).padStart(3, '0')),
    );
    expect(ids(v.page({ reporter: 'cli' }, 500, null)?.items)).toHaveLength(15);

    await ledger.open(detect(31));
    await ledger.apply(
      buildEvent(
        'incident.updated',
        {
          incident_id: detect(1).incident_id,
          fingerprint: 'svc-1:high_error_rate',
          phase: 'triaged',
        },
        'jira-resolver',
      ),
      'updated',
    );
    await (await kv.raw(KV_BUCKETS.incidents)).delete(detect(2).incident_id);
    await eventually(() => v.status().incidents === 30, 5000, 10);
    await eventually(
      () =>
        v.page({}, 500, null)?.items.find((r) => r.incident_id === detect(1).incident_id)?.phase ===
        'triaged',
      5000,
      10,
    );
    const all = v.page({}, 500, null)?.items ?? [];
    expect(ids(all)[0]).toBe('031');
    expect(ids(all)).not.toContain('002');
    // The view and the ledger agree.
    expect(all).toEqual(await ledger.list());
  });
});
