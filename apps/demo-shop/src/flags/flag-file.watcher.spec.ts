import { mkdtempSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceLog } from '../runtime/service.log';
import { FlagFileWatcher } from './flag-file.watcher';

const flags = (cartVariant: string): string =>
  JSON.stringify({
    flags: {
      cartFailure: {
        state: 'ENABLED',
        variants: { off: 0, '50%': 0.5, '100%': 1 },
        defaultVariant: cartVariant,
      },
    },
  });

describe('FlagFileWatcher', () => {
  let dir: string;
  let path: string;
  let lines: string[];
  let watcher: FlagFileWatcher;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-flag-watch-'));
    path = join(dir, 'demo.flagd.json');
    lines = [];
    watcher = new FlagFileWatcher(path, new ServiceLog('cart', (_level, line) => lines.push(line)));
  });

  afterEach(() => {
    watcher.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Atomic write, as demo-controller does it. */
  const write = (text: string): void => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };

  it('reads the file at start and again whenever it changes', () => {
    write(flags('50%'));
    watcher.start();
    expect(watcher.value('cartFailure')).toBe(0.5);
    write(flags('100%'));
    watcher.poll();
    expect(watcher.value('cartFailure')).toBe(1);
    expect(lines.join('\n')).toMatch(
      /flag cartFailure: off -> 50% \(0\.5\)[\s\S]*50% \(0\.5\) -> on \(1\)/,
    );
  });

  it('does not re-read a file whose stamp did not change', () => {
    write(flags('50%'));
    watcher.poll();
    // Same size, same inode, mtime put back: flagd would not see this edit either.
    const before = new Date('2026-01-01T00:00:00Z');
    utimesSync(path, before, before);
    watcher.poll();
    writeFileSync(path, flags('off').padEnd(flags('50%').length, ' '));
    utimesSync(path, before, before);
    watcher.poll();
    expect(watcher.value('cartFailure')).toBe(0.5);
  });

  it('means every flag off while the file is missing, and says so once', () => {
    watcher.poll();
    watcher.poll();
    expect(watcher.value('cartFailure')).toBeUndefined();
    expect(lines.filter((l) => l.includes('not found'))).toHaveLength(1);
    write(flags('100%'));
    watcher.poll();
    expect(watcher.value('cartFailure')).toBe(1);
    unlinkSync(path);
    watcher.poll();
    expect(watcher.value('cartFailure')).toBeUndefined();
  });

  it('keeps the last good flags when the file does not parse (a half-written file)', () => {
    write(flags('100%'));
    watcher.poll();
    write('{"flags": {"cartFailure": ');
    watcher.poll();
    expect(watcher.value('cartFailure')).toBe(1);
    expect(lines.some((l) => /WARN cart: flag file .* unreadable \(not JSON/.test(l))).toBe(true);
  });

  it('without a path, every flag is off and nothing is polled', () => {
    const none = new FlagFileWatcher(null, new ServiceLog('ad', () => undefined));
    none.start();
    expect(none.value('adFailure')).toBeUndefined();
    none.stop();
  });
});
