import { seededRandom } from '@opscrew/testing';
import { BuiltinLoadDriver } from './builtin.load-driver';
import { LoadDriverError } from './load-driver.port';
import { type LoadHttpRequest, type LoadHttpSend } from './load-http.sender';
import { type LoadMix } from './load-task';
import { ManualScheduler } from '../testing/manual.scheduler';

/** A two-page mix: the driver runs whatever it is given (the shop's mix is demo-controller's). */
const MIX: LoadMix = {
  tasks: [
    { name: 'home', weight: 1, requests: () => [{ name: '/', method: 'GET', path: '/' }] },
    {
      name: 'page',
      weight: 2,
      requests: () => [{ name: '/page', method: 'GET', path: '/page' }],
    },
  ],
  think_time_ms: { min: 500, max: 2000 },
};

interface Harness {
  driver: BuiltinLoadDriver;
  clock: ManualScheduler;
  sent: LoadHttpRequest[];
}

function harness(
  options: { status?: (request: LoadHttpRequest) => number; latencyMs?: number } = {},
): Harness {
  const clock = new ManualScheduler();
  const sent: LoadHttpRequest[] = [];
  const send: LoadHttpSend = (request) => {
    sent.push(request);
    const status = options.status?.(request) ?? 200;
    if (options.latencyMs === undefined)
      return Promise.resolve({ status, setCookies: ['session=abc; Path=/'] });
    return new Promise((resolve) => {
      clock.after(options.latencyMs ?? 0, () => resolve({ status, setCookies: [] }));
    });
  };
  const driver = new BuiltinLoadDriver({
    ...MIX,
    scheduler: clock,
    send,
    random: seededRandom(42),
  });
  return { driver, clock, sent };
}

describe('BuiltinLoadDriver', () => {
  it('spawns spawn_rate users per second, the first at once, then runs them all', async () => {
    const { driver, clock } = harness();
    await driver.start({ users: 10, spawn_rate: 4, host: 'http://127.0.0.1:7100' });
    await clock.advance(0);
    expect(await driver.stats()).toMatchObject({ state: 'spawning', users: 1 });
    await clock.advance(1000);
    // t = 0, 250, 500, 750, 1000 ms
    expect((await driver.stats()).users).toBe(5);
    await clock.advance(1250);
    expect(await driver.stats()).toMatchObject({ state: 'running', users: 10 });
    await driver.stop();
    expect(await driver.stats()).toMatchObject({ state: 'stopped', users: 0 });
    expect(clock.waiting).toBe(0);
  });

  it('stops by itself after run_time_s', async () => {
    const { driver, clock } = harness();
    await driver.start({ users: 3, spawn_rate: 3, host: 'http://localhost:7100', run_time_s: 30 });
    await clock.advance(29_000);
    expect((await driver.stats()).state).toBe('running');
    await clock.advance(1_000);
    expect(await driver.stats()).toMatchObject({ state: 'stopped', users: 0 });
  });

  it('refuses hosts off this machine: deliberate load never leaves it', async () => {
    const { driver } = harness();
    for (const host of ['http://10.0.0.5:7100', 'http://example.com', 'http://frontend:8080']) {
      await expect(driver.start({ users: 1, spawn_rate: 1, host })).rejects.toThrow(
        /is not a loopback address/,
      );
    }
    await expect(
      driver.start({ users: 0, spawn_rate: 1, host: 'http://127.0.0.1:1' }),
    ).rejects.toThrow(LoadDriverError);
    await expect(
      driver.start({ users: 1, spawn_rate: 0, host: 'http://127.0.0.1:1' }),
    ).rejects.toThrow(/spawn_rate must be/);
    await expect(
      driver.start({ users: 1, spawn_rate: 1, host: 'ftp://127.0.0.1/' }),
    ).rejects.toThrow(/must be http/);
  });

  it('refuses an empty mix or a task without a positive weight', () => {
    expect(() => new BuiltinLoadDriver({ ...MIX, tasks: [] })).toThrow(LoadDriverError);
    const [home] = MIX.tasks;
    if (home === undefined) throw new Error('MIX has no task');
    expect(() => new BuiltinLoadDriver({ ...MIX, tasks: [{ ...home, weight: 0 }] })).toThrow(
      /positive weights/,
    );
  });
});
