import { type Notification } from '@opscrew/ports';
import { FileSandbox, SandboxViolationError } from '@opscrew/sandbox';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@opscrew/testing';
import { LogCapture } from '../testing/log-capture';
import { ConsoleNotifier } from './console.notifier';
import { buildDiscordMessage, DEFAULT_DISCORD_MESSAGE_OPTIONS } from './discord-message.builder';

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
  const clock = new ManualClock(Date.parse('2025-01-31T12:00:00.000Z'));
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

  it("writes a notification over Discord's limits as one line per message, marked part i/n", async () => {
    const long: Notification = {
      ...notification,
      idempotency_key: 'report:report.x',
      kind: 'report',
      text: Array.from({ length: 500 }, (_, i) => `line ${i} of a long report`).join('\n'),
    };
    const notifier = new ConsoleNotifier({ jsonl_path: path, clock });
    await notifier.send(long);
    await notifier.send(long);
    const written = await lines();
    expect(written.length).toBeGreaterThan(1);
    expect(written.map((line) => line.part)).toEqual(
      written.map((_, i) => `${i + 1}/${written.length}`),
    );
    expect(new Set(written.map((line) => line.idempotency_key))).toEqual(
      new Set(['report:report.x']),
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

  it('rotates by size and still writes a key once after a rotation and a restart', async () => {
    const rotate = { max_bytes: 1024, keep: 2 };
    const rotated = join(dir, 'nested', 'notifications.1.jsonl');
    const long = { ...notification, text: 'x'.repeat(600) };
    const first = new ConsoleNotifier({ jsonl_path: path, clock, rotate });
    await first.send(long);
    await first.send({ ...long, idempotency_key: 'second' });
    // Each line is over half of max_bytes: the second went to a fresh file.
    expect((await lines()).map((l) => l['idempotency_key'])).toEqual(['second']);
    expect(await readFile(rotated, 'utf8')).toContain(notification.idempotency_key);
    // A retry of the first message after a crash: its key is in the rotated file, not sent again.
    await new ConsoleNotifier({ jsonl_path: path, clock, rotate }).send(long);
    expect((await lines()).map((l) => l['idempotency_key'])).toEqual(['second']);
    expect((await stat(path)).size).toBeLessThanOrEqual(1024);
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

describe('ConsoleNotifier in a filesystem sandbox', () => {
  let base: string;
  let root: string;
  const clock = new ManualClock(Date.parse('2025-01-31T12:00:00.000Z'));
  const logs = new LogCapture();

  beforeEach(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'opscrew-console-sandbox-')));
    root = join(base, 'project');
    await mkdir(root);
    logs.start();
  });
  afterEach(async () => {
    logs.stop();
    await rm(base, { recursive: true, force: true });
  });

  const files = (): FileSandbox =>
    new FileSandbox({
      agent: 'ops-monitor',
      projectRoot: root,
      read: ['var/notifications.jsonl'],
      write: ['var/notifications.jsonl'],
    });

  it('writes the configured file when the sandbox lists it', async () => {
    const path = join(root, 'var', 'notifications.jsonl');
    await new ConsoleNotifier({ jsonl_path: path, clock, files: files() }).send(notification);
    expect(await readFile(path, 'utf8')).toContain(notification.idempotency_key);
  });

  it('refuses a path outside the sandbox and writes nothing, then and on the next send', async () => {
    const path = join(base, 'elsewhere', 'notifications.jsonl');
    const notifier = new ConsoleNotifier({ jsonl_path: path, clock, files: files() });
    await expect(notifier.send(notification)).rejects.toThrow(
      /file sandbox: ops-monitor may not read ".*elsewhere\/notifications\.jsonl"/,
    );
    await expect(notifier.send(notification)).rejects.toBeInstanceOf(SandboxViolationError);
    await expect(stat(join(base, 'elsewhere'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses the listed file once it is a symlink to outside, and writes nothing there', async () => {
    const sandbox = files();
    await mkdir(join(root, 'var'));
    const target = join(base, 'stolen.jsonl');
    await symlink(target, join(root, 'var', 'notifications.jsonl'));
    await writeFile(target, '');
    const notifier = new ConsoleNotifier({
      jsonl_path: join(root, 'var', 'notifications.jsonl'),
      clock,
      files: sandbox,
    });
    await expect(notifier.send(notification)).rejects.toThrow(/resolved: .*stolen\.jsonl/);
    expect(await readFile(target, 'utf8')).toBe('');
  });
});
