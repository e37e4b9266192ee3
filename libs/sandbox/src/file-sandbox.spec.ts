import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { FileSandbox, type FileSandboxOptions } from './file-sandbox';
import { fileSandboxFor } from './file-sandbox.factory';
import { SandboxViolationError } from './sandbox-violation.error';
import { writablePath } from './writable-path';

describe('FileSandbox', () => {
  let base: string;
  /** The project root. */
  let root: string;
  /** A folder outside the project root (what escapes point at). */
  let outside: string;
  let violations: SandboxViolationError[];

  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'file-sandbox-')));
    root = join(base, 'project');
    outside = join(base, 'outside');
    mkdirSync(join(root, 'var', 'incidents'), { recursive: true });
    mkdirSync(join(root, 'var', 'incidents-evil'), { recursive: true });
    mkdirSync(join(root, 'config'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    writeFileSync(join(root, 'var', 'incidents', 'INC-1.json'), '{}');
    writeFileSync(join(root, 'config', 'opscrew.json5'), '{}');
    violations = [];
  });

  afterEach(() => rmSync(base, { recursive: true, force: true }));

  function sandbox(overrides: Partial<FileSandboxOptions> = {}): FileSandbox {
    return new FileSandbox({
      agent: 'jira-resolver',
      projectRoot: root,
      read: ['config/', 'var/incidents/'],
      write: ['var/incidents/', 'var/notifications.jsonl'],
      onViolation: (v) => violations.push(v),
      ...overrides,
    });
  }

  function refusal(run: () => unknown): SandboxViolationError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(SandboxViolationError);
      return error as SandboxViolationError;
    }
    throw new Error('expected a SandboxViolationError, nothing was thrown');
  }

  describe('allowed', () => {
    it('reads a file below a read directory, relative or absolute, and returns its real path', () => {
      const s = sandbox();
      const expected = join(root, 'var', 'incidents', 'INC-1.json');
      expect(s.checkRead('var/incidents/INC-1.json')).toBe(expected);
      expect(s.checkRead(expected)).toBe(expected);
      expect(s.checkRead('./var//incidents/./INC-1.json')).toBe(expected);
      expect(s.checkRead('config/opscrew.json5')).toBe(join(root, 'config', 'opscrew.json5'));
      expect(violations).toEqual([]);
    });

    it('writes below a write directory', () => {
      expect(sandbox().checkWrite('var/incidents/INC-1.json')).toBe(
        join(root, 'var', 'incidents', 'INC-1.json'),
      );
    });

    it('writes a file that does not exist yet, even in folders that do not exist yet', () => {
      const s = sandbox();
      expect(s.checkWrite('var/incidents/INC-2.json')).toBe(
        join(root, 'var', 'incidents', 'INC-2.json'),
      );
      expect(s.checkWrite('var/incidents/2024/05/INC-3.json')).toBe(
        join(root, 'var', 'incidents', '2024', '05', 'INC-3.json'),
      );
      // Even the allowed folder itself may not exist yet (a fresh checkout has no var/).
      const fresh = sandbox({ write: ['var/audit/'] });
      expect(fresh.checkWrite('var/audit/jira-resolver.jsonl')).toBe(
        join(root, 'var', 'audit', 'jira-resolver.jsonl'),
      );
    });

    it('allows an exact-file entry, and nothing beside or below it', () => {
      const s = sandbox();
      expect(s.checkWrite('var/notifications.jsonl')).toBe(
        join(root, 'var', 'notifications.jsonl'),
      );
      expect(refusal(() => s.checkWrite('var/notifications.jsonl.bak')).reason).toBe(
        'it is outside the write list',
      );
      refusal(() => s.checkWrite('var/notifications.jsonl/x'));
      refusal(() => s.checkWrite('var/notifications'));
    });

    it('an exact-file entry covers its numbered rotations beside it, nothing else', () => {
      const s = sandbox();
      expect(s.checkWrite('var/notifications.1.jsonl')).toBe(
        join(root, 'var', 'notifications.1.jsonl'),
      );
      expect(s.checkWrite('var/notifications.12.jsonl')).toBe(
        join(root, 'var', 'notifications.12.jsonl'),
      );
      for (const path of [
        'var/notifications.0.jsonl',
        'var/notifications.x.jsonl',
        'var/notifications.1.json',
        'var/notifications.jsonl.1',
        'var/other/notifications.1.jsonl',
        'var/notifications.01.jsonl',
      ])
        expect(refusal(() => s.checkWrite(path)).reason).toBe('it is outside the write list');
    });

    it('works when the project root is reached through a symlink', () => {
      const link = join(base, 'link-to-project');
      symlinkSync(root, link);
      const s = sandbox({ projectRoot: link });
      expect(s.projectRoot).toBe(root);
      expect(s.checkRead(join(link, 'var', 'incidents', 'INC-1.json'))).toBe(
        join(root, 'var', 'incidents', 'INC-1.json'),
      );
      expect(s.checkWrite('var/incidents/new.json')).toBe(
        join(root, 'var', 'incidents', 'new.json'),
      );
    });

    it('allows a symlink inside an allowed folder that points inside it', () => {
      symlinkSync(
        join(root, 'var', 'incidents', 'INC-1.json'),
        join(root, 'var', 'incidents', 'latest'),
      );
      expect(sandbox().checkRead('var/incidents/latest')).toBe(
        join(root, 'var', 'incidents', 'INC-1.json'),
      );
    });
  });

  describe('refused', () => {
    it('refuses a ../ escape, even one that would land back inside', () => {
      const s = sandbox();
      for (const path of [
        '../outside/secret.txt',
        'var/incidents/../../../outside/secret.txt',
        'var/incidents/../incidents/INC-1.json',
        '..',
      ]) {
        const error = refusal(() => s.checkRead(path));
        expect(error.reason).toBe('the path contains a ".." segment');
        expect(error.resolved).toBeNull();
      }
      refusal(() => s.checkWrite('var/incidents/../../x'));
    });

    it('refuses an absolute path outside the allowed entries', () => {
      const s = sandbox();
      const error = refusal(() => s.checkRead('/etc/passwd'));
      expect(error.resolved).toBe(realpathSync('/etc/passwd'));
      refusal(() => s.checkWrite('/etc/passwd'));
      refusal(() => s.checkWrite(join(outside, 'secret.txt')));
      refusal(() => s.checkWrite('/tmp/opscrew-not-allowed.txt'));
    });

    it('refuses what is in the project but not listed (and the project root itself)', () => {
      const s = sandbox();
      refusal(() => s.checkRead('package.json'));
      refusal(() => s.checkWrite('config/opscrew.json5'));
      refusal(() => s.checkRead('.'));
      refusal(() => s.checkWrite(root));
      // A directory entry matches what is below it, not the directory itself.
      refusal(() => s.checkWrite('var/incidents'));
      refusal(() => s.checkWrite('var/incidents/'));
    });

    it('does not confuse var/incidents-evil/ with var/incidents/', () => {
      const s = sandbox();
      const error = refusal(() => s.checkWrite('var/incidents-evil/x'));
      expect(error.resolved).toBe(join(root, 'var', 'incidents-evil', 'x'));
      refusal(() => s.checkRead('var/incidents-evil/x'));
      refusal(() => s.checkWrite('var/incidentsx'));
    });

    it('refuses a NUL byte (the kernel would cut the path there)', () => {
      const s = sandbox();
      const error = refusal(() => s.checkWrite('var/incidents/x\u0000/../../../etc/passwd'));
      expect(error.reason).toBe('the path contains a NUL byte');
      refusal(() => s.checkRead('var/incidents/INC-1.json\u0000'));
      // Shown escaped, never raw, in the message.
      expect(error.message).toContain('\\u0000');
      expect(error.message).not.toContain('\u0000');
    });

    it('refuses an empty path', () => {
      expect(refusal(() => sandbox().checkRead('')).reason).toBe('an empty path');
    });

    it('refuses a symlink inside an allowed folder that points outside, for read and write', () => {
      symlinkSync(join(outside, 'secret.txt'), join(root, 'var', 'incidents', 'evil.json'));
      const s = sandbox();
      const read = refusal(() => s.checkRead('var/incidents/evil.json'));
      expect(read.resolved).toBe(join(outside, 'secret.txt'));
      const write = refusal(() => s.checkWrite('var/incidents/evil.json'));
      expect(write.resolved).toBe(join(outside, 'secret.txt'));
    });

    it('refuses a write through a symlinked folder that points outside (existing file or not)', () => {
      symlinkSync(outside, join(root, 'var', 'incidents', 'dir'));
      const s = sandbox();
      expect(refusal(() => s.checkWrite('var/incidents/dir/new.json')).resolved).toBe(
        join(outside, 'new.json'),
      );
      expect(refusal(() => s.checkWrite('var/incidents/dir/a/b/new.json')).resolved).toBe(
        join(outside, 'a', 'b', 'new.json'),
      );
      refusal(() => s.checkRead('var/incidents/dir/secret.txt'));
    });

    it('refuses once an allowed folder is swapped for a symlink to outside after start', () => {
      const s = sandbox();
      const folder = join(root, 'var', 'incidents');
      rmSync(folder, { recursive: true });
      symlinkSync(outside, folder);
      expect(refusal(() => s.checkWrite('var/incidents/x.json')).resolved).toBe(
        join(outside, 'x.json'),
      );
      refusal(() => s.checkRead('var/incidents/secret.txt'));
    });

    it('refuses to start with an entry that is a symlink out of the project', () => {
      symlinkSync(outside, join(root, 'var', 'audit'));
      expect(() => sandbox({ write: ['var/audit/'] })).toThrow(
        `file sandbox: agents.jira-resolver.sandbox.filesystem.write[0] "var/audit/": resolves to ${outside}, outside the project root ${root}`,
      );
      symlinkSync(join(outside, 'secret.txt'), join(root, 'var', 'notifications.jsonl'));
      expect(() => sandbox({ write: ['var/notifications.jsonl'] })).toThrow(
        /outside the project root/,
      );
    });

    it('refuses a dangling symlink (opening it for writing would create its target)', () => {
      symlinkSync(join(outside, 'created-by-write'), join(root, 'var', 'incidents', 'dangling'));
      const error = refusal(() => sandbox().checkWrite('var/incidents/dangling'));
      expect(error.reason).toMatch(/is a symlink that points to nothing/);
      const inside = join(root, 'var', 'incidents', 'later.json');
      symlinkSync(inside, join(root, 'var', 'incidents', 'dangling-inside'));
      refusal(() => sandbox().checkWrite('var/incidents/dangling-inside'));
    });

    it('refuses a path through a file used as a folder', () => {
      const error = refusal(() => sandbox().checkWrite('var/incidents/INC-1.json/x'));
      expect(error.reason).toMatch(/cannot be resolved \(ENOTDIR\)/);
    });

    it('does not let write imply read, nor read imply write', () => {
      const s = sandbox();
      refusal(() => s.checkRead('var/notifications.jsonl'));
      refusal(() => s.checkWrite('config/opscrew.json5'));
    });

    it('refuses everything with empty lists', () => {
      const s = sandbox({ read: [], write: [] });
      const error = refusal(() => s.checkRead('var/incidents/INC-1.json'));
      expect(error.message).toContain('allows nothing');
    });
  });

  describe('the error', () => {
    it('names the agent, the operation, the requested and resolved paths and the allowed entries', () => {
      const error = refusal(() => sandbox().checkWrite('/etc/passwd'));
      expect(error).toMatchObject({
        agent: 'jira-resolver',
        operation: 'write',
        requested: '/etc/passwd',
        allowed: ['var/incidents/', 'var/notifications.jsonl'],
      });
      expect(error.message).toBe(
        `file sandbox: jira-resolver may not write "/etc/passwd" (resolved: ${realpathSync('/etc/passwd')}): ` +
          'it is outside the write list; agents.jira-resolver.sandbox.filesystem.write allows var/incidents/, var/notifications.jsonl',
      );
    });

    it('is reported to onViolation before it is thrown, and a failing reporter changes nothing', () => {
      const thrown = refusal(() => sandbox().checkRead('../x'));
      expect(violations).toEqual([thrown]);
      const s = sandbox({
        onViolation: () => {
          throw new Error('reporter down');
        },
      });
      refusal(() => s.checkRead('../x'));
    });
  });

  describe('configured entries', () => {
    it.each([
      ['/etc/', /must be relative to the project root/],
      ['../outside/', /must not contain "\.\."/],
      ['var/../../etc/', /must not contain "\.\."/],
      ['var/\u0000', /contains a NUL byte/],
    ])('rejects %j as a wiring error naming where it is configured', (entry, message) => {
      expect(() => sandbox({ write: ['var/incidents/', entry] })).toThrow(message);
      expect(() => sandbox({ write: ['var/incidents/', entry] })).toThrow(
        /agents\.jira-resolver\.sandbox\.filesystem\.write\[1\]/,
      );
    });
  });

  describe('writablePath', () => {
    it('creates the folders of an allowed file and returns its real path', async () => {
      const s = sandbox({ write: ['var/audit/'] });
      const path = await writablePath(s, 'var/audit/deep/jira-resolver.jsonl');
      expect(path).toBe(join(root, 'var', 'audit', 'deep', 'jira-resolver.jsonl'));
      expect(realpathSync(join(root, 'var', 'audit', 'deep'))).toBe(
        join(root, 'var', 'audit', 'deep'),
      );
    });

    it('creates nothing for a refused path', async () => {
      const s = sandbox();
      await expect(writablePath(s, 'var/elsewhere/x.json')).rejects.toBeInstanceOf(
        SandboxViolationError,
      );
      expect(() => realpathSync(join(root, 'var', 'elsewhere'))).toThrow(/ENOENT/);
    });
  });
});

describe('fileSandboxFor (shipped configuration)', () => {
  const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} });
  let root: string;

  beforeEach(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'file-sandbox-shipped-')));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const uses: ReadonlyArray<[string, 'read' | 'write', string]> = [
    ['atlas', 'write', 'var/reports/atlas.jsonl'],
    ['ops-monitor', 'read', loaded.config.integrations.notifier.jsonl_path],
    ['ops-monitor', 'write', loaded.config.integrations.notifier.jsonl_path],
    ['jira-resolver', 'read', 'var/audit/jira-resolver.jsonl'],
    ['jira-resolver', 'write', 'var/audit/jira-resolver.jsonl'],
    ['jira-resolver', 'read', loaded.config.integrations.notifier.jsonl_path],
    ['jira-resolver', 'write', loaded.config.integrations.notifier.jsonl_path],
    ['demo-controller', 'read', 'var/audit/demo-controller.jsonl'],
    ['demo-controller', 'write', 'var/audit/demo-controller.jsonl'],
    // files.rotate: every file an agent appends to may be renamed to its numbered rotations.
    ['demo-controller', 'write', 'var/audit/demo-controller.5.jsonl'],
    ['ops-monitor', 'write', 'var/audit/ops-monitor.1.jsonl'],
    ['ops-monitor', 'write', 'var/notifications.2.jsonl'],
    ['atlas', 'write', 'var/reports/atlas.1.jsonl'],
    ['demo-controller', 'read', loaded.config.integrations.flags.flag_file],
    ['demo-controller', 'write', loaded.config.integrations.flags.flag_file],
    [
      'demo-controller',
      'write',
      loaded.config.agents.get('demo-controller')?.controller?.learning.feedback_loop
        .suggestions_file ?? 'missing',
    ],
  ];

  it.each(uses)('lets %s %s %s (a file it really uses)', (agent, operation, path) => {
    const s = fileSandboxFor(loaded.config, root, agent, { onViolation: () => undefined });
    const resolved = operation === 'read' ? s.checkRead(path) : s.checkWrite(path);
    expect(resolved).toBe(join(root, path));
  });

  it('keeps each agent out of the others’ files', () => {
    const quiet = { onViolation: () => undefined };
    expect(() =>
      fileSandboxFor(loaded.config, root, 'atlas', quiet).checkWrite('var/flagd/demo.flagd.json'),
    ).toThrow(SandboxViolationError);
    expect(() =>
      fileSandboxFor(loaded.config, root, 'ops-monitor', quiet).checkWrite(
        'var/flagd/demo.flagd.json',
      ),
    ).toThrow(SandboxViolationError);
    expect(() =>
      fileSandboxFor(loaded.config, root, 'demo-controller', quiet).checkWrite(
        'var/audit/jira-resolver.jsonl',
      ),
    ).toThrow(SandboxViolationError);
    expect(() =>
      fileSandboxFor(loaded.config, root, 'jira-resolver', quiet).checkWrite(
        'config/opscrew.json5',
      ),
    ).toThrow(SandboxViolationError);
  });

  it('names the agent it does not know', () => {
    expect(() => fileSandboxFor(loaded.config, root, 'nobody')).toThrow(/no agent "nobody"/);
  });
});
