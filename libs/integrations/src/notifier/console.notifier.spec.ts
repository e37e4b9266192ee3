import { FakeClock } from '@opscrew/messaging/testing';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCapture } from '../testing/log-capture';
import { ConsoleNotifier } from './console.notifier';
import { buildDiscordMessage, DEFAULT_DISCORD_MESSAGE_OPTIONS } from './discord-message.builder';
import { type Notification } from './notifier.port';

const notification: Notification = {
  idempotency_key: 'notify:INC-20250131-001:detected',
  kind: 'incident',
  severity: 'critical',
  title: 'Checkout errors @everyone',
  text: 'see https://evil.com',
  fields: [{ name: 'Service', value: 'checkout' }],
  incident_id: 'INC-20250131-001',
};

describe('ConsoleNotifier', () => {
  let dir: string;
  let path: string;
  const clock = new FakeClock(Date.parse('2025-01-31T12:00:00.000Z'));
  const logs = new LogCapture();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opscrew-console-'));
    path = join(dir, 'nested', 'notifications.jsonl');
    logs.start();
  });
  afterEach(async () => {
    logs.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const lines = async (): Promise<Record<string, unknown>[]> =>
    (await readFile(path, 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes exactly the Discord webhook body plus idempotency_key, kind and at, and logs one line', async () => {
    await new ConsoleNotifier({ jsonl_path: path, clock }).send(notification);
    const expected = buildDiscordMessage(
      notification,
      DEFAULT_DISCORD_MESSAGE_OPTIONS,
      new Date(clock.now()),
    ).body;
    expect(await lines()).toEqual([
      {
        ...expected,
        idempotency_key: notification.idempotency_key,
        kind: 'incident',
        at: '2025-01-31T12:00:00.000Z',
      },
    ]);
    const logged = logs.at('log');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(
      '[CRITICAL] Checkout errors @\u200Beveryone — see hxxps://evil[.]com (INC-20250131-001)',
    );
  });

  it('writes a key once, also across a restart (a new instance on the same file)', async () => {
    const first = new ConsoleNotifier({ jsonl_path: path, clock });
    await Promise.all([first.send(notification), first.send(notification)]);
    await new ConsoleNotifier({ jsonl_path: path, clock }).send(notification);
    await new ConsoleNotifier({ jsonl_path: path, clock }).send({
      ...notification,
      idempotency_key: 'other',
    });
    expect((await lines()).map((l) => l['idempotency_key'])).toEqual([
      notification.idempotency_key,
      'other',
    ]);
  });

  it('starts a fresh line after a torn append (crash mid-write)', async () => {
    await new ConsoleNotifier({ jsonl_path: path, clock }).send(notification);
    await appendFile(path, '{"idempotency_key":"torn');
    await new ConsoleNotifier({ jsonl_path: path, clock }).send({
      ...notification,
      idempotency_key: 'after',
    });
    const text = await readFile(path, 'utf8');
    const parsed = text.split('\n').filter((l) => l.startsWith('{"username"'));
    expect(
      parsed.map((l) => (JSON.parse(l) as { idempotency_key: string }).idempotency_key),
    ).toEqual([notification.idempotency_key, 'after']);
  });
});
