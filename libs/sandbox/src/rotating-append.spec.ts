import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSandbox } from './file-sandbox';
import {
  appendRotating,
  type RotationPolicy,
  rotatedPath,
  rotationNumber,
  rotationsOf,
} from './rotating-append';
import { SandboxViolationError } from './sandbox-violation.error';

describe('rotating append', () => {
  let root: string;
  let file: string;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'rotating-append-')));
    file = join(root, 'var', 'audit', 'atlas.jsonl');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const read = (n: number): string => readFileSync(rotatedPath(file, n), 'utf8');
  const line = (i: number): string => `{"i":${i},"pad":"${'x'.repeat(20)}"}\n`;

  it('names rotations before the extension and recognises only those', () => {
    expect(rotatedPath('/p/var/a.jsonl', 0)).toBe('/p/var/a.jsonl');
    expect(rotatedPath('/p/var/a.jsonl', 3)).toBe('/p/var/a.3.jsonl');
    expect(rotationNumber('/p/var/a.jsonl', '/p/var/a.3.jsonl')).toBe(3);
    expect(rotationNumber('/p/var/a.jsonl', '/p/var/a.jsonl')).toBe(0);
    for (const other of ['/p/var/a.0.jsonl', '/p/var/ab.1.jsonl', '/p/x/a.1.jsonl', '/p/var/a.1'])
      expect(rotationNumber('/p/var/a.jsonl', other)).toBeNull();
  });

  it('only grows without a policy', async () => {
    for (let i = 0; i < 50; i++) await appendRotating(file, line(i));
    expect(read(0).split('\n')).toHaveLength(51);
    expect(existsSync(rotatedPath(file, 1))).toBe(false);
  });

  it('rotates before the append that would pass max_bytes, keeping `keep` files, lines whole', async () => {
    const size = Buffer.byteLength(line(0));
    const rotate: RotationPolicy = { max_bytes: size * 3, keep: 2 };
    for (let i = 0; i < 10; i++) await appendRotating(file, line(i), { rotate });
    // 10 lines, 3 per file: live has 9, .1 has 6..8, .2 has 3..5; 0..2 were dropped.
    expect(read(0)).toBe(line(9));
    expect(read(1)).toBe(line(6) + line(7) + line(8));
    expect(read(2)).toBe(line(3) + line(4) + line(5));
    expect(existsSync(rotatedPath(file, 3))).toBe(false);
    for (const n of [0, 1, 2])
      expect(statSync(rotatedPath(file, n)).size).toBeLessThanOrEqual(size * 3);
    expect(await rotationsOf(file)).toEqual([rotatedPath(file, 2), rotatedPath(file, 1), file]);
  });

  it('puts a line longer than max_bytes alone in a fresh file, never split', async () => {
    const rotate: RotationPolicy = { max_bytes: 10, keep: 3 };
    await appendRotating(file, line(1), { rotate });
    await appendRotating(file, line(2), { rotate });
    expect(read(0)).toBe(line(2));
    expect(read(1)).toBe(line(1));
  });

  it('loses no line after a crash mid-rotation (a gap in the numbers, no live file)', async () => {
    const rotate: RotationPolicy = { max_bytes: Buffer.byteLength(line(0)), keep: 3 };
    await appendRotating(file, line(1), { rotate });
    await appendRotating(file, line(2), { rotate });
    // The crash: the live file renamed to .1 (.1 had gone to .2), and no line written yet.
    renameSync(rotatedPath(file, 1), rotatedPath(file, 3));
    renameSync(file, rotatedPath(file, 1));
    expect(await rotationsOf(file)).toEqual([rotatedPath(file, 3), rotatedPath(file, 1)]);
    await appendRotating(file, line(3), { rotate });
    await appendRotating(file, line(4), { rotate });
    expect(read(0)).toBe(line(4));
    expect(read(1)).toBe(line(3));
    expect(read(2)).toBe(line(2));
    expect(read(3)).toBe(line(1));
  });

  it('goes through the sandbox: an exact-file entry covers its rotations, anything else is refused', async () => {
    const rotate: RotationPolicy = { max_bytes: 1, keep: 2 };
    const files = new FileSandbox({
      agent: 'atlas',
      projectRoot: root,
      read: [],
      write: ['var/audit/atlas.jsonl'],
    });
    await appendRotating(file, line(1), { rotate, files });
    await appendRotating(file, line(2), { rotate, files });
    expect(read(1)).toBe(line(1));
    await expect(
      appendRotating(join(root, 'var', 'audit', 'jira-resolver.jsonl'), line(3), { files }),
    ).rejects.toBeInstanceOf(SandboxViolationError);
  });

  it('creates the file with the mode given', async () => {
    mkdirSync(join(root, 'var', 'audit'), { recursive: true });
    await appendRotating(file, line(1), { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, '');
    expect(await rotationsOf(join(root, 'missing', 'x.jsonl'))).toEqual([]);
  });
});
