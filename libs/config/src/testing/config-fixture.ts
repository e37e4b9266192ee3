import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The configuration shipped in the repository. */
export const SHIPPED_CONFIG_DIR = resolve(__dirname, '../../../../config');

/** A throw-away folder for a test's config files. */
export class ConfigFixture {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** An empty config root inside a fresh temp project folder. */
  static empty(): ConfigFixture {
    const project = mkdtempSync(join(tmpdir(), 'opscrew-config-'));
    const dir = join(project, 'config');
    mkdirSync(dir);
    return new ConfigFixture(dir);
  }

  /** A copy of the shipped configuration, to break one thing at a time. */
  static shipped(): ConfigFixture {
    const fixture = ConfigFixture.empty();
    cpSync(SHIPPED_CONFIG_DIR, fixture.dir, { recursive: true });
    return fixture;
  }

  /**
   * The shipped configuration under a staging-style overlay: `opscrew.json5` becomes
   * `shipped.json5`, and a new root includes it with `overlay`'s keys beside (merged over it),
   * the way a team runs staging and the demo runs compressed.
   */
  static shippedWithOverlay(overlay: Readonly<Record<string, unknown>>): ConfigFixture {
    const fixture = ConfigFixture.shipped();
    renameSync(join(fixture.dir, 'opscrew.json5'), join(fixture.dir, 'shipped.json5'));
    fixture.write('opscrew.json5', JSON.stringify({ $include: './shipped.json5', ...overlay }));
    return fixture;
  }

  get projectDir(): string {
    return dirname(this.dir);
  }

  write(relativePath: string, content: string): string {
    const path = join(this.dir, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return path;
  }

  read(relativePath: string): string {
    return readFileSync(join(this.dir, relativePath), 'utf8');
  }

  /** Replace text in a file; fails loudly when the text is not there (the test would prove nothing). */
  patch(relativePath: string, search: string | RegExp, replacement: string): void {
    const before = this.read(relativePath);
    const after = before.replace(search, replacement);
    if (after === before) throw new Error(`patch: ${String(search)} not found in ${relativePath}`);
    this.write(relativePath, after);
  }

  remove(): void {
    rmSync(this.projectDir, { recursive: true, force: true });
  }
}
