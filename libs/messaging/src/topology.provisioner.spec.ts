import { BUCKET_NAMES } from '@opscrew/contracts';
import { Logger } from '@nestjs/common';
import {
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  NatsError,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { JS_ERR_CONSUMER_NOT_FOUND, JS_ERR_STREAM_NOT_FOUND } from './nats-errors';
import { SubjectMapper } from './subject-mapper';
import { CONSUMER_NAMES } from './topology';
import { provisionAll, provisionBuckets, provisionTopology } from './topology.provisioner';

function notFound(code: number): NatsError {
  const err = new NatsError('not found', '404');
  err.api_error = { code: 404, err_code: code, description: 'not found' };
  return err;
}

/** Just enough of JetStreamManager to exercise provisioning decisions. */
class FakeJsm {
  streams = new Map<string, StreamConfig>();
  consumers = new Map<string, ConsumerConfig>();
  calls: string[] = [];

  asJsm(): JetStreamManager {
    const { streams: streamMap, consumers: consumerMap, calls } = this;
    return {
      streams: {
        info: (name: string) => {
          const config = streamMap.get(name);
          return config
            ? Promise.resolve({ config } as StreamInfo)
            : Promise.reject(notFound(JS_ERR_STREAM_NOT_FOUND));
        },
        add: (config: StreamConfig) => {
          calls.push(`stream.add ${config.name}`);
          streamMap.set(config.name, { ...config });
          return Promise.resolve({ config } as StreamInfo);
        },
        update: (name: string, config: StreamConfig) => {
          calls.push(`stream.update ${name}`);
          streamMap.set(name, { ...config });
          return Promise.resolve({ config } as StreamInfo);
        },
      },
      consumers: {
        info: (stream: string, name: string) => {
          const config = consumerMap.get(`${stream}/${name}`);
          return config
            ? Promise.resolve({ config } as ConsumerInfo)
            : Promise.reject(notFound(JS_ERR_CONSUMER_NOT_FOUND));
        },
        add: (stream: string, config: ConsumerConfig) => {
          calls.push(`consumer.add ${config.durable_name}`);
          consumerMap.set(`${stream}/${config.durable_name}`, { ...config });
          return Promise.resolve({ config } as ConsumerInfo);
        },
        update: (stream: string, name: string, config: Partial<ConsumerConfig>) => {
          calls.push(`consumer.update ${name}`);
          const key = `${stream}/${name}`;
          consumerMap.set(key, { ...(consumerMap.get(key) as ConsumerConfig), ...config });
          return Promise.resolve({} as ConsumerInfo);
        },
      },
      jetstream: () => ({
        views: {
          kv: (
            bucket: string,
            opts: {
              history: number;
              ttl: number;
              maxValueSize: number;
              description: string;
              storage: string;
              replicas: number;
            },
          ) => {
            calls.push(`kv.create ${bucket}`);
            streamMap.set(`KV_${bucket}`, {
              name: `KV_${bucket}`,
              subjects: [`$KV.${bucket}.>`],
              max_msgs_per_subject: opts.history,
              max_age: opts.ttl * 1_000_000,
              max_msg_size: opts.maxValueSize,
              description: opts.description,
              storage: opts.storage,
              num_replicas: opts.replicas,
            } as StreamConfig);
            return Promise.resolve({});
          },
        },
      }),
    } as unknown as JetStreamManager;
  }
}

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('provisionTopology', () => {
  const mapper = new SubjectMapper('x', 'OPS');
  const options = { duplicate_window_ms: 120_000 };

  it('creates the stream and every declared consumer, then is a no-op', async () => {
    const fake = new FakeJsm();
    const first = await provisionTopology(fake.asJsm(), mapper, options);
    expect(first.stream).toEqual({ name: 'OPS_x', action: 'created' });
    expect(first.consumers.map((c) => c.action)).toEqual(CONSUMER_NAMES.map(() => 'created'));
    fake.calls.length = 0;
    const second = await provisionTopology(fake.asJsm(), mapper, options);
    expect(second.stream.action).toBe('unchanged');
    expect(second.consumers.every((c) => c.action === 'unchanged')).toBe(true);
    expect(fake.calls).toEqual([]);
  });

  it('updates a stream whose subjects or limits drifted, keeping the rest of its config', async () => {
    const fake = new FakeJsm();
    await provisionTopology(fake.asJsm(), mapper, options);
    const stream = fake.streams.get('OPS_x') as StreamConfig;
    fake.streams.set('OPS_x', { ...stream, subjects: ['x.incident.>'], max_msgs: 1234 });
    const report = await provisionTopology(fake.asJsm(), mapper, options);
    expect(report.stream.action).toBe('updated');
    expect(report.stream.changes?.[0]).toMatch(/^subjects /);
    expect(fake.streams.get('OPS_x')?.subjects).toHaveLength(9);
    expect(fake.streams.get('OPS_x')?.max_msgs).toBe(1234);
  });

  it('provisions the dead-letter stream with its limits (events stream first: it gives up deadletter.>)', async () => {
    const fake = new FakeJsm();
    // A stream provisioned before dead letters had their own: OPS still captures deadletter.>.
    fake.streams.set('OPS_x', {
      name: 'OPS_x',
      subjects: ['x.incident.>', 'x.deadletter.>'],
      storage: 'file',
      retention: 'limits',
    } as StreamConfig);
    const report = await provisionTopology(fake.asJsm(), mapper, options);
    expect(report.stream.action).toBe('updated');
    expect(fake.streams.get('OPS_x')?.subjects).not.toContain('x.deadletter.>');
    expect(report.deadLetterStream).toEqual({ name: 'DEADLETTERS_x', action: 'created' });
    expect(fake.calls.indexOf('stream.update OPS_x')).toBeLessThan(
      fake.calls.indexOf('stream.add DEADLETTERS_x'),
    );
    expect(fake.streams.get('DEADLETTERS_x')).toMatchObject({
      subjects: ['x.deadletter.>'],
      max_msgs: 10_000,
      max_bytes: 32 * 1024 * 1024,
      discard: 'old',
    });
    expect(fake.consumers.has('DEADLETTERS_x/atlas-deadletters')).toBe(true);
    expect(fake.consumers.has('OPS_x/atlas-deadletters')).toBe(false);

    // A drifted limit is put back in place.
    const dl = fake.streams.get('DEADLETTERS_x') as StreamConfig;
    fake.streams.set('DEADLETTERS_x', { ...dl, max_msgs: -1 });
    const again = await provisionTopology(fake.asJsm(), mapper, options);
    expect(again.deadLetterStream.action).toBe('updated');
    expect(again.deadLetterStream.changes).toEqual(['max_msgs -1 → 10000']);
  });

  it('updates a consumer whose editable config drifted', async () => {
    const fake = new FakeJsm();
    await provisionTopology(fake.asJsm(), mapper, options);
    const key = 'OPS_x/atlas-ledger';
    fake.consumers.set(key, { ...(fake.consumers.get(key) as ConsumerConfig), max_deliver: 3 });
    fake.calls.length = 0;
    const report = await provisionTopology(fake.asJsm(), mapper, options);
    expect(report.consumers.find((c) => c.name === 'atlas-ledger')).toEqual({
      name: 'atlas-ledger',
      action: 'updated',
      changes: ['max_deliver 3 → 10'],
    });
    expect(fake.calls).toEqual(['consumer.update atlas-ledger']);
  });

  it('refuses to change what the server cannot edit, and deletes nothing', async () => {
    const fake = new FakeJsm();
    await provisionTopology(fake.asJsm(), mapper, options);
    const stream = fake.streams.get('OPS_x') as StreamConfig;
    fake.streams.set('OPS_x', { ...stream, storage: 'memory' } as StreamConfig);
    await expect(provisionTopology(fake.asJsm(), mapper, options)).rejects.toThrow(
      'stream OPS_x: storage "memory" → "file" cannot be changed in place; migrate it by hand (provisioning never deletes data)',
    );
    fake.streams.set('OPS_x', stream);
    const key = 'OPS_x/atlas-heartbeats';
    fake.consumers.set(key, {
      ...(fake.consumers.get(key) as ConsumerConfig),
      deliver_policy: 'all',
    } as ConsumerConfig);
    await expect(provisionTopology(fake.asJsm(), mapper, options)).rejects.toThrow(
      /deliver_policy "all" → "new"/,
    );
  });

  it('rethrows errors other than not-found', async () => {
    const fake = new FakeJsm();
    const jsm = fake.asJsm();
    jsm.streams.info = () => Promise.reject(new Error('timeout'));
    await expect(provisionTopology(jsm, mapper, options)).rejects.toThrow('timeout');
  });
});

describe('provisionBuckets', () => {
  const mapper = new SubjectMapper('x', 'OPS');

  it('creates missing buckets, leaves matching ones, updates drifted limits', async () => {
    const fake = new FakeJsm();
    const first = await provisionBuckets(fake.asJsm(), mapper);
    expect(first.map((b) => `${b.name} ${b.action}`)).toEqual([
      'x_incidents created',
      'x_locks created',
      'x_heartbeats created',
      'x_tickets created',
      'x_learning created',
      'x_outbox created',
      'x_escalations created',
      'x_sequences created',
      'x_fingerprints created',
      'x_remediations created',
      'x_lifecycle created',
      'x_capacity created',
      'x_slo created',
      'x_silences created',
    ]);
    const incidents = fake.streams.get('KV_x_incidents') as StreamConfig;
    fake.streams.set('KV_x_incidents', { ...incidents, max_msgs_per_subject: 1 });
    const second = await provisionBuckets(fake.asJsm(), mapper);
    expect(second[0]).toEqual({
      name: 'x_incidents',
      action: 'updated',
      changes: ['history 1 → 5'],
    });
    expect(second.slice(1).every((b) => b.action === 'unchanged')).toBe(true);
    expect(fake.streams.get('KV_x_incidents')?.subjects).toEqual(['$KV.x_incidents.>']);
  });

  it('makes every stream and bucket at bus.replicas and scales existing ones in place', async () => {
    const fake = new FakeJsm();
    await provisionAll(fake.asJsm(), mapper, { duplicate_window_ms: 1_000 });
    expect([...fake.streams.values()].every((config) => config.num_replicas === 1)).toBe(true);

    const report = await provisionAll(fake.asJsm(), mapper, {
      duplicate_window_ms: 1_000,
      replicas: 3,
    });
    expect(report.stream).toEqual({
      name: 'OPS_x',
      action: 'updated',
      changes: ['num_replicas 1 → 3'],
    });
    expect(report.deadLetterStream.changes).toEqual(['num_replicas 1 → 3']);
    expect(report.buckets.map((item) => item.changes)).toEqual(
      BUCKET_NAMES.map(() => ['num_replicas 1 → 3']),
    );
    expect([...fake.streams.values()].every((config) => config.num_replicas === 3)).toBe(true);
    // The bucket's stream keeps its KV flags and subjects through the update.
    expect(fake.streams.get('KV_x_incidents')?.subjects).toEqual(['$KV.x_incidents.>']);
  });

  it('names bus.replicas when the server refuses the replica count', async () => {
    const jsm = new FakeJsm().asJsm();
    jsm.streams.add = () =>
      Promise.reject(new Error('replicas > 1 not supported in non-clustered mode'));
    await expect(
      provisionTopology(jsm, mapper, { duplicate_window_ms: 1_000, replicas: 3 }),
    ).rejects.toThrow(
      /stream OPS_x: the server refused 3 replicas \(replicas > 1 not supported in non-clustered mode\); bus.replicas must not exceed/,
    );
  });

  it('provisionAll reports stream, consumers and buckets', async () => {
    const report = await provisionAll(new FakeJsm().asJsm(), mapper, {
      duplicate_window_ms: 1_000,
    });
    expect(report.stream.action).toBe('created');
    expect(report.consumers.length).toBe(CONSUMER_NAMES.length);
    expect(report.buckets.length).toBe(BUCKET_NAMES.length);
  });
});
