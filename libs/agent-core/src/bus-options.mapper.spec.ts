import { BusConfig, ReconnectConfig } from '@opscrew/config';
import { busOptionsFromConfig, serverList } from './bus-options.mapper';

function bus(fields: Partial<BusConfig>): BusConfig {
  return Object.assign(new BusConfig(), {
    servers: ['nats://127.0.0.1:4222'],
    reconnect: new ReconnectConfig(),
    ...fields,
  });
}

describe('busOptionsFromConfig', () => {
  it('connects without credentials by default (the embedded local NATS)', () => {
    const options = busOptionsFromConfig(bus({}), 'atlas');
    expect(options).toMatchObject({
      servers: ['nats://127.0.0.1:4222'],
      name: 'atlas',
      stream: 'OPS',
    });
    expect(options).not.toHaveProperty('user');
    expect(options).not.toHaveProperty('pass');
    expect(options).not.toHaveProperty('token');
  });

  it('uses the root bus credentials when the agent has none of its own', () => {
    expect(
      busOptionsFromConfig(bus({ user: 'cli', password: 'pcli' }), 'opscrew-cli'),
    ).toMatchObject({
      user: 'cli',
      pass: 'pcli',
    });
  });

  it("replaces the root credentials as a whole with the agent's own bus_auth", () => {
    const options = busOptionsFromConfig(
      bus({ user: 'cli', password: 'pcli', token: 'root-token' }),
      'ops-monitor',
      { auth: { user: 'ops-monitor', password: 'pops' }, wait_on_first_connect: false },
    );
    expect(options).toMatchObject({
      user: 'ops-monitor',
      pass: 'pops',
      wait_on_first_connect: false,
    });
    expect(options).not.toHaveProperty('token');
  });

  it('gives nats.js every node of a cluster, one URL each, and the replica count', () => {
    const options = busOptionsFromConfig(
      bus({
        servers: ['nats://nats-1:4222,nats://nats-2:4222, nats://nats-3:4222'],
        replicas: 3,
      }),
      'atlas',
    );
    expect(options.servers).toEqual([
      'nats://nats-1:4222',
      'nats://nats-2:4222',
      'nats://nats-3:4222',
    ]);
    expect(options.replicas).toBe(3);
    expect(busOptionsFromConfig(bus({}), 'atlas').replicas).toBe(1);
  });

  it('keeps separate entries as they are and drops empty pieces', () => {
    expect(serverList(['nats://a:1', 'nats://b:2,'])).toEqual(['nats://a:1', 'nats://b:2']);
  });
});
