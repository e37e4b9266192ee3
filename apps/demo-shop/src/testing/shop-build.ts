import { transformFileSync } from '@swc/core';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const SOURCE_DIR = resolve(__dirname, '..');
const REPO_ROOT = resolve(__dirname, '../../../..');

export interface ShopTestBuild {
  /** The compiled service entry (`service.main.js`) to give startShop as `serviceEntry`. */
  readonly entry: string;
  readonly dir: string;
  remove(): void;
}

/**
 * Compiles the shop's service sources (this checkout's, not a possibly stale
 * dist/) with SWC — the compiler Jest already uses — into a temp folder the
 * service processes can run. Its node_modules is a link to the repository's,
 * so prom-client resolves as it does in dist/.
 */
export function buildShopForTest(): ShopTestBuild {
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-shop-build-'));
  for (const file of sourceFiles(SOURCE_DIR)) {
    const { code } = transformFileSync(file, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    const out = join(dir, relative(SOURCE_DIR, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    entry: join(dir, 'service.main.js'),
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every .ts under `dir` except tests and test helpers. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(entry.name)
      ? [path]
      : [];
  });
}
