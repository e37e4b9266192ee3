import { Logger } from '@nestjs/common';
import { type KV } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { NatsConnectionService } from './nats-connection.service';
import { testBusOptions } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { TypedKv } from './typed-kv';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

const counterSchema = {
  validate: (raw: unknown) =>
    typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0
      ? ({ ok: true, value: raw } as const)
      : ({ ok: false, reason: 'must be a non-negative integer' } as const),
};

const WORKERS_PER_CONNECTION = 4;
const INCREMENTS_PER_WORKER = 25;

describe('TypedKv.mutate against NATS JetStream (two connections racing)', () => {
  /** A bucket of its own (no topology needed): unique per run, destroyed after. */
  const bucket = `mutate_${testNamespace()}`;
  let a: NatsConnectionService;
  let b: NatsConnectionService;
  let rawA: KV;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    a = new NatsConnectionService(testBusOptions(NATS_URL, testNamespace(), 'mutate-a'));
    b = new NatsConnectionService(testBusOptions(NATS_URL, testNamespace(), 'mutate-b'));
    await a.connect();
    await b.connect();
    rawA = await a.jetstream().views.kv(bucket, { history: 1 });
  });

  afterAll(async () => {
    await rawA.destroy();
    await b.close();
    await a.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  const open = async (bus: NatsConnectionService): Promise<TypedKv<number>> =>
    new TypedKv(await bus.jetstream().views.kv(bucket), bucket, counterSchema);

  it('loses no increment: the count is exactly the number of increments, each answered once', async () => {
    const kvs = [await open(a), await open(b)];
    let conflicts = 0;
    const workers = kvs.flatMap((kv) =>
      Array.from({ length: WORKERS_PER_CONNECTION }, async () => {
        const seen: number[] = [];
        for (let i = 0; i < INCREMENTS_PER_WORKER; i++) {
          const out = await kv.mutate('counter', (current) => {
            const next = (current?.value ?? 0) + 1;
            return { put: next, result: next };
          });
          conflicts += out.attempts - 1;
          seen.push(out.result);
        }
        return seen;
      }),
    );
    const answered = (await Promise.all(workers)).flat();
    const total = kvs.length * WORKERS_PER_CONNECTION * INCREMENTS_PER_WORKER;
    expect((await kvs[0]?.get('counter'))?.value).toBe(total);
    expect(new Set(answered).size).toBe(total);
    // Eight writers on one key do collide: the loop, not luck, kept the count.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('creates, keeps and deletes by CAS on the real server', async () => {
    const [kvA, kvB] = [await open(a), await open(b)];
    const created = await kvA.mutate('fresh', (current) =>
      current === null ? { put: 1, result: 'created' } : { keep: 'existed' },
    );
    expect(created).toMatchObject({ result: 'created', written: true });
    const kept = await kvB.mutate('fresh', (current) =>
      current === null ? { put: 1, result: 'created' } : { keep: 'existed' },
    );
    expect(kept).toMatchObject({ result: 'existed', written: false });
    expect(kept.entry?.revision).toBe(created.entry?.revision);

    const deleted = await kvB.mutate('fresh', () => ({ delete: true, result: 'deleted' }));
    expect(deleted).toMatchObject({ written: true, entry: null });
    expect(await kvA.get('fresh')).toBeNull();
    // A deleted key is absent again: a put decision creates it over the delete marker.
    const again = await kvA.mutate('fresh', (current) => ({
      put: (current?.value ?? 0) + 7,
      result: null,
    }));
    expect(again.entry?.value).toBe(7);
  });

  it('a stale held entry costs a round on the real server, never a lost write', async () => {
    const [kvA, kvB] = [await open(a), await open(b)];
    const first = await kvA.mutate('held', () => ({ put: 1, result: null }));
    await kvB.mutate('held', (current) => ({ put: (current?.value ?? 0) + 1, result: null }));
    const out = await kvA.mutate(
      'held',
      (current) => ({ put: (current?.value ?? 0) + 1, result: null }),
      {
        current: first.entry,
      },
    );
    expect(out.attempts).toBe(2);
    expect((await kvB.get('held'))?.value).toBe(3);
  });
});
