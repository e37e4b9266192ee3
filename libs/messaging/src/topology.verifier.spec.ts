import { BUCKET_NAMES } from '@opscrew/contracts';
import { type JetStreamManager, NatsError } from 'nats';
import { JS_ERR_CONSUMER_NOT_FOUND, JS_ERR_STREAM_NOT_FOUND } from './nats-errors';
import { SubjectMapper } from './subject-mapper';
import { missingTopology, waitForTopology } from './topology.verifier';

function apiError(code: number, description: string): NatsError {
  const error = new NatsError(description, '404');
  error.api_error = { code: 404, err_code: code, description };
  return error;
}

/** A JetStream manager that knows some streams and consumers (INFO only: what agents may do). */
function fakeJsm(streams: Set<string>, consumers: Set<string>): JetStreamManager {
  return {
    streams: {
      info: (name: string) =>
        streams.has(name)
          ? Promise.resolve({})
          : Promise.reject(apiError(JS_ERR_STREAM_NOT_FOUND, 'stream not found')),
    },
    consumers: {
      info: (stream: string, name: string) =>
        consumers.has(`${stream}/${name}`)
          ? Promise.resolve({})
          : Promise.reject(apiError(JS_ERR_CONSUMER_NOT_FOUND, 'consumer not found')),
    },
  } as unknown as JetStreamManager;
}

const mapper = new SubjectMapper(undefined, 'OPS');
const BUCKET_STREAMS = BUCKET_NAMES.map((bucket) => `KV_${bucket}`);

describe('verifying the bus topology (agents do not provision)', () => {
  it('names each missing stream, durable and bucket; a missing stream hides its durables', async () => {
    const jsm = fakeJsm(new Set(['OPS', 'KV_incidents']), new Set());
    const missing = await missingTopology(jsm, mapper, {
      durables: ['atlas-ledger', 'atlas-deadletters'],
    });
    expect(missing).toContain('stream DEADLETTERS');
    expect(missing).toContain('consumer OPS/atlas-ledger');
    expect(missing).not.toContain('consumer DEADLETTERS/atlas-deadletters');
    expect(missing).toContain('bucket locks');
    expect(missing).not.toContain('bucket incidents');
  });

  it('is satisfied when everything it needs is there', async () => {
    const jsm = fakeJsm(
      new Set(['OPS', 'DEADLETTERS', ...BUCKET_STREAMS]),
      new Set(['OPS/atlas-ledger']),
    );
    expect(await missingTopology(jsm, mapper, { durables: ['atlas-ledger'] })).toEqual([]);
  });

  it('throws other errors (a permissions violation is not "missing")', async () => {
    const jsm = {
      streams: { info: () => Promise.reject(new Error('Permissions Violation')) },
    } as unknown as JetStreamManager;
    await expect(missingTopology(jsm, mapper, { durables: [] })).rejects.toThrow(
      'Permissions Violation',
    );
  });

  it('waits, warning with the remedy, and gives up after the timeout naming what is missing', async () => {
    let now = 0;
    const warnings: string[] = [];
    const jsm = fakeJsm(new Set(['DEADLETTERS', ...BUCKET_STREAMS]), new Set());
    await expect(
      waitForTopology(
        jsm,
        mapper,
        { durables: [] },
        {
          timeoutMs: 30_000,
          intervalMs: 1_000,
          warn: (message) => warnings.push(message),
          now: () => now,
          sleep: (ms) => {
            now += ms;
            return Promise.resolve();
          },
        },
      ),
    ).rejects.toThrow(
      'bus topology missing: stream OPS; run `opscrew bus provision` with admin credentials (waited 30 s)',
    );
    // First check, then about every 10 s: not once a second.
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe(
      'bus topology missing: stream OPS; run `opscrew bus provision` with admin credentials; waiting up to 30 s',
    );
  });

  it('returns as soon as an admin step made what was missing', async () => {
    const streams = new Set(['DEADLETTERS', ...BUCKET_STREAMS]);
    let checks = 0;
    await waitForTopology(
      fakeJsm(streams, new Set()),
      mapper,
      { durables: [] },
      {
        timeoutMs: 60_000,
        sleep: () => {
          checks += 1;
          if (checks === 3) streams.add('OPS');
          return Promise.resolve();
        },
      },
    );
    expect(checks).toBe(3);
  });
});
