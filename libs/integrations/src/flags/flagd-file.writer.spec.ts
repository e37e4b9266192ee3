import { errorMessage } from '@opscrew/contracts';
import { FileSandbox, SandboxViolationError } from '@opscrew/sandbox';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTEL_DEMO_FLAGD_DIR } from '../testing/spec-paths';
import { canonicalFlagName, resolveFlagKey } from './flag-aliases';
import { FlagdFileWriter } from './flagd-file.writer';
import { bundledFlagFile, FlagdSchemaValidator } from './flagd-schema.validator';
import { FlagError } from './flags.port';

interface FlagFile {
  flags: Record<
    string,
    {
      defaultVariant: string;
      state: string;
      variants: Record<string, unknown>;
      targeting?: unknown;
    }
  >;
}

describe('FlagdFileWriter', () => {
  let dir: string;
  let file: string;
  const read = (): FlagFile => JSON.parse(readFileSync(file, 'utf8')) as FlagFile;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-flagd-'));
    file = join(dir, 'flagd', 'demo.flagd.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the flag file from the bundled demo 3.0 file and sets the default variant', async () => {
    const writer = new FlagdFileWriter({ path: file });
    const change = await writer.setVariant('cartFailure', '100%');
    expect(change).toEqual({
      flag: 'cartFailure',
      previous_variant: 'off',
      variant: '100%',
      value: 1,
      file,
    });
    const written = read();
    expect(written.flags['cartFailure']?.defaultVariant).toBe('100%');
    // Everything else is the demo's file, untouched.
    const bundled = JSON.parse(readFileSync(bundledFlagFile(), 'utf8')) as FlagFile;
    expect(Object.keys(written.flags)).toEqual(Object.keys(bundled.flags));
    expect(written.flags['adFailure']).toEqual(bundled.flags['adFailure']);
  });

  it('accepts the 1.x names as aliases, in both directions', async () => {
    const writer = new FlagdFileWriter({ path: file });
    expect((await writer.setVariant('adServiceFailure', 'on')).flag).toBe('adFailure');
    expect((await writer.setVariant('paymentServiceFailure', '90%')).value).toBe(0.95);
    expect((await writer.setVariant('recommendationServiceCacheFailure', 'on')).flag).toBe(
      'recommendationCacheFailure',
    );
    expect(read().flags['adFailure']?.defaultVariant).toBe('on');
    // A 1.12 file keeps its 1.x keys, whichever name the caller uses.
    copyFileSync(join(OTEL_DEMO_FLAGD_DIR, 'otel-demo-1.12.flagd.json'), file);
    const change = await writer.setVariant('cartFailure', 'on');
    expect(change.flag).toBe('cartServiceFailure');
    expect(read().flags['cartServiceFailure']?.defaultVariant).toBe('on');
    expect(canonicalFlagName('adServiceHighCpu')).toBe('adHighCpu');
    expect(canonicalFlagName('adServiceManualGc')).toBe('adManualGc');
    expect(canonicalFlagName('paymentServiceUnreachable')).toBe('paymentUnreachable');
    expect(resolveFlagKey('nope', () => true)).toBe('nope');
    expect(resolveFlagKey('nope', () => false)).toBeUndefined();
  });

  it('refuses a variant the flag does not have, listing the valid ones; nothing is written', async () => {
    const writer = new FlagdFileWriter({ path: file });
    const error = await writer.setVariant('cartFailure', 'on').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlagError);
    expect(errorMessage(error)).toBe(
      `flag "cartFailure" in ${bundledFlagFile()} has no variant "on" (valid: 10%, 100%, 25%, 50%, 75%, 90%, off)`,
    );
    await expect(writer.setVariant('noSuchFlag', 'on')).rejects.toThrow(
      /^unknown flag "noSuchFlag" in .* \(known: adFailure, adHighCpu, adManualGc, cartFailure,/,
    );
    expect(() => statSync(file)).toThrow();
  });

  it("validates the whole document against flagd's schema before writing", async () => {
    const broken = JSON.parse(readFileSync(bundledFlagFile(), 'utf8')) as FlagFile;
    (broken.flags['adHighCpu'] as { state: string }).state = 'ON';
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    copyFileSync(join(dir, 'broken.json'), join(dir, 'target.json'));
    file = join(dir, 'target.json');
    const before = readFileSync(file, 'utf8');
    const writer = new FlagdFileWriter({ path: file });
    const error = await writer.setVariant('adFailure', 'on').catch((e: unknown) => e);
    expect(errorMessage(error)).toMatch(
      /target\.json: not written, the flag file would not be valid for flagd: \/flags\/adHighCpu\/state: must be equal to one of the allowed values \("ENABLED", "DISABLED"\)/,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
    writeFileSync(file, '{"flags": ');
    await expect(writer.setVariant('adFailure', 'on')).rejects.toThrow(
      /target\.json is not valid JSON/,
    );
  });

  it("validates the demo's own flag files (the targeting schema is registered under its $id)", () => {
    const validator = new FlagdSchemaValidator();
    // 3.0 is the bundled file in deploy/flagd; 2.2 and 1.12 are kept in test/third-party.
    for (const path of [
      bundledFlagFile(),
      join(OTEL_DEMO_FLAGD_DIR, 'otel-demo-2.2.flagd.json'),
      join(OTEL_DEMO_FLAGD_DIR, 'otel-demo-1.12.flagd.json'),
    ])
      expect({ path, errors: validator.validate(JSON.parse(readFileSync(path, 'utf8'))) }).toEqual({
        path,
        errors: [],
      });
    expect(
      validator.validate({
        flags: { x: { state: 'ENABLED', variants: { on: true }, defaultVariant: 3 } },
      }),
    ).toContain('/flags/x/defaultVariant: must be string,null');
  });

  it('writes atomically: a temp file in the same folder renamed over, none left behind', async () => {
    const writer = new FlagdFileWriter({ path: file });
    await writer.setVariant('adFailure', 'on');
    // A second name for the first version: a write in place would change what it shows.
    const pinned = join(dir, 'pinned.json');
    linkSync(file, pinned);
    const firstVersion = readFileSync(pinned, 'utf8');
    // Concurrent changes from one process are serialised: neither is lost.
    await Promise.all([
      writer.setVariant('adHighCpu', 'on'),
      writer.setVariant('paymentUnreachable', 'on'),
    ]);
    const flags = read().flags;
    expect(
      [flags['adFailure'], flags['adHighCpu'], flags['paymentUnreachable']].map(
        (f) => f?.defaultVariant,
      ),
    ).toEqual(['on', 'on', 'on']);
    // A rename replaces the file (a new inode): flagd never sees a half-written one.
    expect(statSync(file).ino).not.toBe(statSync(pinned).ino);
    expect(readFileSync(pinned, 'utf8')).toBe(firstVersion);
    expect(readdirSync(join(dir, 'flagd'))).toEqual(['demo.flagd.json']);
  });

  it("switches the demo's one-product rule along with the default (flagd applies targeting first)", async () => {
    const writer = new FlagdFileWriter({ path: file });
    await writer.setVariant('productCatalogFailure', 'on');
    expect(read().flags['productCatalogFailure']?.targeting).toEqual({
      if: [{ '==': [{ var: 'product_id' }, 'OLJCESPC7Z'] }, 'on', 'off'],
    });
    await writer.setVariant('productCatalogFailure', 'off');
    expect(read().flags['productCatalogFailure']).toMatchObject({
      defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'product_id' }, 'OLJCESPC7Z'] }, 'off', 'off'] },
    });
    expect(await writer.describe('productCatalogFailure')).toEqual({
      flag: 'productCatalogFailure',
      variants: ['off', 'on'],
      default_variant: 'off',
    });
  });
});

describe('FlagdFileWriter in a filesystem sandbox', () => {
  let base: string;
  let root: string;

  beforeEach(() => {
    base = realpathSync(mkdtempSync(join(tmpdir(), 'opscrew-flagd-sandbox-')));
    root = join(base, 'project');
    mkdirSync(root);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const sandbox = (entry = 'var/flagd/'): FileSandbox =>
    new FileSandbox({
      agent: 'demo-controller',
      projectRoot: root,
      read: [entry],
      write: [entry],
    });

  it('reads and replaces the flag file through the sandbox, even with an exact-file entry', async () => {
    const file = join(root, 'var', 'flagd', 'demo.flagd.json');
    const writer = new FlagdFileWriter({ path: file, files: sandbox('var/flagd/demo.flagd.json') });
    await writer.setVariant('cartFailure', '100%');
    await writer.setVariant('cartFailure', 'off');
    const written = JSON.parse(readFileSync(file, 'utf8')) as FlagFile;
    expect(written.flags['cartFailure']?.defaultVariant).toBe('off');
    // No temp file left beside it.
    expect(readdirSync(join(root, 'var', 'flagd'))).toEqual(['demo.flagd.json']);
  });

  it('refuses a flag file outside the sandbox and writes nothing', async () => {
    const file = join(base, 'elsewhere', 'demo.flagd.json');
    const writer = new FlagdFileWriter({ path: file, files: sandbox() });
    await expect(writer.setVariant('cartFailure', '100%')).rejects.toThrow(
      /file sandbox: demo-controller may not read ".*elsewhere\/demo\.flagd\.json"/,
    );
    expect(existsSync(join(base, 'elsewhere'))).toBe(false);
  });

  it('refuses a write through var/flagd swapped for a symlink to outside, and writes nothing there', async () => {
    const files = sandbox();
    const outside = join(base, 'outside');
    mkdirSync(outside);
    mkdirSync(join(root, 'var'));
    symlinkSync(outside, join(root, 'var', 'flagd'));
    const writer = new FlagdFileWriter({
      path: join(root, 'var', 'flagd', 'demo.flagd.json'),
      files,
    });
    await expect(writer.setVariant('cartFailure', '100%')).rejects.toBeInstanceOf(
      SandboxViolationError,
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses to replace a flag file it may read but not write', async () => {
    const file = join(root, 'var', 'flagd', 'demo.flagd.json');
    const files = new FileSandbox({
      agent: 'demo-controller',
      projectRoot: root,
      read: ['var/flagd/'],
      write: [],
    });
    const writer = new FlagdFileWriter({ path: file, files });
    await expect(writer.setVariant('cartFailure', '100%')).rejects.toThrow(/may not write/);
    expect(existsSync(file)).toBe(false);
  });
});
