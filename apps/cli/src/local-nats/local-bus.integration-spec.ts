import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { AGENT_NAMES } from '@opscrew/contracts';
import { freePort } from '@opscrew/integrations';
import {
  BUS_GRANTS,
  BUS_USERS,
  missingTopology,
  NatsConnectionService,
  natsPasswordVariable,
  type BusUser,
} from '@opscrew/messaging';
import { connect, type NatsError } from 'nats';
import { jestTimeout } from '@opscrew/testing';
import { type CliIo, EXIT_FAILURE, EXIT_OK } from '../cli-io';
import { busProvision } from '../commands/bus-provision.command';
import { type LocalBus, startLocalBus } from './local-bus';
import { CREDENTIALS_FILE } from './local-credentials';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (line) => lines.push(line), err: (line) => errors.push(line) };
}

/**
 * The embedded path's bus (npm start / npm run demo): credentials generated into var/nats, our
 * own nats-server with the generated per-user config, provisioned as admin; every agent
 * connects as itself, verifies and pulls; nobody gets in without its password.
 */
describe('the embedded bus: own nats-server, generated users, admin provisioning', () => {
  const project = mkdtempSync(join(tmpdir(), 'opscrew-local-bus-'));
  const dir = join(project, 'var', 'nats');
  const fixture = ConfigFixture.shipped();
  const config = loadConfig({ configDir: fixture.dir, env: {} }).config;
  let port = 0;
  let local: LocalBus | undefined;
  const opened: NatsConnectionService[] = [];
  const savedEnv = { ...process.env };

  async function busAs(user: BusUser, pass: string): Promise<NatsConnectionService> {
    const bus = new NatsConnectionService({
      servers: [local?.server.url ?? ''],
      name: `local-bus-test-${user}`,
      user,
      pass,
      wait_on_first_connect: false,
    });
    opened.push(bus);
    await bus.connect();
    return bus;
  }

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    port = await freePort();
    local = await startLocalBus({
      dir,
      storeDir: join(dir, 'store'),
      port,
      httpPort: null,
      config,
      serverName: 'opscrew-local-test',
    });
  });

  afterAll(async () => {
    process.env = savedEnv;
    for (const bus of opened) await bus.close().catch(() => undefined);
    await local?.server.stop();
    rmSync(project, { recursive: true, force: true });
    fixture.remove();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('generated the credentials (0600) and provisioned everything as admin on first start', () => {
    expect(local?.credentials.generated).toEqual(BUS_USERS);
    expect(statSync(join(dir, CREDENTIALS_FILE)).mode & 0o777).toBe(0o600);
    const report = local?.report;
    expect(report?.stream.action).toBe('created');
    expect(report?.deadLetterStream.action).toBe('created');
    expect(report?.consumers.every((item) => item.action === 'created')).toBe(true);
    expect(report?.buckets.every((item) => item.action === 'created')).toBe(true);
  });

  it('lets every agent connect as itself, find its topology, and pull its own durable', async () => {
    for (const agent of AGENT_NAMES) {
      const bus = await busAs(agent, local?.credentials.passwords[agent] ?? '');
      const jsm = await bus.jetstreamManager();
      expect(
        await missingTopology(jsm, bus.subjects, { durables: BUS_GRANTS[agent].consumes }),
      ).toEqual([]);
      const durable = BUS_GRANTS[agent].consumes[0];
      if (durable === undefined) continue;
      const stream = durable === 'atlas-deadletters' ? 'DEADLETTERS' : 'OPS';
      const consumer = await bus.jetstream().consumers.get(stream, durable);
      const batch = await consumer.fetch({ max_messages: 1, expires: 1_000 });
      for await (const message of batch) message.ack();
    }
  });

  it('refuses anyone without the right password', async () => {
    await expect(connect({ servers: local?.server.url, reconnect: false })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    } satisfies Partial<NatsError>);
    await expect(
      connect({
        servers: local?.server.url,
        user: 'admin',
        pass: local?.credentials.passwords.atlas,
        reconnect: false,
      }),
    ).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('`opscrew bus provision`: idempotent as admin; an agent user or a wrong password is a clear failure', async () => {
    const passwords = local?.credentials.passwords;
    if (!passwords) throw new Error('not started');
    process.env.NATS_URL = local?.server.url;
    process.env[natsPasswordVariable('admin')] = passwords.admin;
    const io = capture();
    expect(await busProvision({ config: fixture.dir }, io)).toBe(EXIT_OK);
    expect(io.lines).toContain('stream OPS: unchanged');
    expect(io.lines).toContain('consumer jira-resolver-incidents: unchanged');
    expect(io.lines.at(-1)).toMatch(
      new RegExp(
        `^bus topology provisioned on ${local?.server.url} as admin: 0 created, 0 updated, \\d+ unchanged$`,
      ),
    );

    process.env[natsPasswordVariable('ops-monitor')] = passwords['ops-monitor'];
    const asAgent = capture();
    expect(await busProvision({ config: fixture.dir, user: 'ops-monitor' }, asAgent)).toBe(
      EXIT_FAILURE,
    );
    expect(asAgent.errors.join('\n')).toMatch(
      /^opscrew bus provision: ops-monitor may not provision the bus \(.*[Pp]ermissions [Vv]iolation.*\); run it as the admin user: set NATS_PASSWORD_ADMIN$/,
    );

    process.env[natsPasswordVariable('admin')] = 'pwrong';
    const wrong = capture();
    expect(await busProvision({ config: fixture.dir }, wrong)).toBe(EXIT_FAILURE);
    expect(wrong.errors).toEqual([
      `opscrew bus provision: NATS at ${local?.server.url} refused user admin (password from NATS_PASSWORD_ADMIN): authorization violation (wrong user or password?)`,
    ]);
  });

  it('keeps the credentials and the data across a restart of the server', async () => {
    const before = local?.credentials.passwords;
    await local?.server.stop();
    local = await startLocalBus({
      dir,
      storeDir: join(dir, 'store'),
      port,
      httpPort: null,
      config,
      serverName: 'opscrew-local-test',
    });
    expect(local.credentials.generated).toEqual([]);
    expect(local.credentials.passwords).toEqual(before);
    expect(local.report.stream.action).toBe('unchanged');
    expect(local.report.buckets.every((item) => item.action === 'unchanged')).toBe(true);
  });
});
