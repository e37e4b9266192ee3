import { Logger } from '@nestjs/common';
import { type KV } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { KvWorkQueue } from './kv-work-queue';
import { NatsConnectionService } from './nats-connection.service';
import { testBusOptions } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { TypedKv } from './typed-kv';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

const ITEMS = 30;
const WORKERS_PER_CONNECTION = 3;
const LEASE_MS = 10_000;

const anyValue = { validate: (raw: unknown) => ({ ok: true, value: raw }) as const };
const payloadSchema = (raw: unknown) =>
  typeof raw === 'number'
    ? ({ ok: true, value: raw } as const)
    : ({ ok: false, reason: 'must be a number' } as const);

describe('KvWorkQueue against NATS JetStream (two connections, several workers)', () => {
  /** A bucket of its own (no topology needed): unique per run, destroyed after. */
  const bucket = `workq_${testNamespace()}`;
  let a: NatsConnectionService;
  let b: NatsConnectionService;
  let rawA: KV;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    a = new NatsConnectionService(testBusOptions(NATS_URL, testNamespace(), 'workq-a'));
    b = new NatsConnectionService(testBusOptions(NATS_URL, testNamespace(), 'workq-b'));
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

  const open = async (
    bus: NatsConnectionService,
    prefix: string,
    now: () => number = Date.now,
  ): Promise<KvWorkQueue<number>> =>
    new KvWorkQueue(
      new TypedKv<unknown>(await bus.jetstream().views.kv(bucket), bucket, anyValue),
      {
        item_prefix: `${prefix}.`,
        due_index_key: `${prefix}-due`,
        validate: payloadSchema,
        clock: { now },
      },
    );

  it('hands every due item to exactly one worker, and the index empties as they complete', async () => {
    const queues = [await open(a, 'race'), await open(b, 'race')];
    const [first] = queues;
    if (first === undefined) throw new Error('no queue');
    for (let i = 0; i < ITEMS; i++) await first.enqueue(`job-${i}`, i);
    const done: number[] = [];
    const workers = queues.flatMap((queue, q) =>
      Array.from({ length: WORKERS_PER_CONNECTION }, async (_unused, w) => {
        for (;;) {
          const claims = await queue.claimDue(`worker-${q}-${w}`, LEASE_MS, 2);
          if (claims.length === 0 && (await queue.due()).length === 0) return;
          for (const claim of claims) {
            done.push(claim.payload);
            expect(await queue.complete(claim)).toBe(true);
          }
        }
      }),
    );
    await Promise.all(workers);
    expect(done.sort((x, y) => x - y)).toEqual(Array.from({ length: ITEMS }, (_unused, i) => i));
    expect(await first.due(Date.now() + 60 * LEASE_MS)).toEqual([]);
  });

  it('takes over the item of a worker whose lease ran out; the late owner’s writes are refused', async () => {
    let now = Date.now();
    const dead = await open(a, 'takeover', () => now);
    const alive = await open(b, 'takeover', () => now);
    await dead.enqueue('job', 1);
    const lost = await dead.claim('job', 'dead', LEASE_MS);
    expect(lost).not.toBeNull();
    expect(await alive.claimDue('alive', LEASE_MS)).toEqual([]);
    now += LEASE_MS;
    const [taken] = await alive.claimDue('alive', LEASE_MS);
    expect(taken).toMatchObject({ id: 'job', owner: 'alive', taken_over: true, attempts: 2 });
    expect(await dead.complete(lost!)).toBe(false);
    expect(await alive.reschedule(taken!, now + 1_000, 2)).toBe(true);
    now += 1_000;
    const [again] = await dead.claimDue('dead', LEASE_MS);
    expect(again).toMatchObject({ payload: 2, taken_over: false });
    expect(await dead.complete(again!)).toBe(true);
    expect(await alive.due(now + 60 * LEASE_MS)).toEqual([]);
  });
});
