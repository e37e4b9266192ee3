import { FileSandbox, SandboxViolationError } from '@opscrew/sandbox';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomically } from './json-file.writer';

describe('writeJsonAtomically in demo-controller’s filesystem sandbox', () => {
  let base: string;
  let root: string;
  let files: FileSandbox;

  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'opscrew-json-writer-')));
    root = join(base, 'project');
    mkdirSync(root);
    files = new FileSandbox({
      agent: 'demo-controller',
      projectRoot: root,
      read: [],
      write: ['var/learning/'],
    });
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('writes an allowed file (folders created), with no temp file left', async () => {
    const file = join(root, 'var', 'learning', 'threshold-suggestions.json');
    await writeJsonAtomically(file, { runs: 3 }, files);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ runs: 3 });
    expect(readdirSync(join(root, 'var', 'learning'))).toEqual(['threshold-suggestions.json']);
  });

  it('refuses a file outside the sandbox and writes nothing', async () => {
    const file = join(root, 'var', 'reports', 'threshold-suggestions.json');
    await expect(writeJsonAtomically(file, { runs: 3 }, files)).rejects.toThrow(
      /file sandbox: demo-controller may not write ".*var\/reports\/threshold-suggestions\.json"/,
    );
    expect(existsSync(join(root, 'var', 'reports'))).toBe(false);
  });

  it('refuses var/learning swapped for a symlink to outside, and writes nothing there', async () => {
    const outside = join(base, 'outside');
    mkdirSync(outside);
    mkdirSync(join(root, 'var'));
    symlinkSync(outside, join(root, 'var', 'learning'));
    await expect(
      writeJsonAtomically(join(root, 'var', 'learning', 's.json'), { runs: 3 }, files),
    ).rejects.toBeInstanceOf(SandboxViolationError);
    expect(readdirSync(outside)).toEqual([]);
  });
});
