import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironment } from './environment';

describe('buildEnvironment (.env precedence)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ranks the process environment over .env over the config env block', () => {
    const dotenvPath = join(dir, '.env');
    writeFileSync(dotenvPath, 'A=from-dotenv\nB=from-dotenv\n# comment\n');
    const env = buildEnvironment({
      processEnv: { A: 'from-process' },
      dotenvPath,
      configEnv: { A: 'from-config', B: 'from-config', C: 'from-config' },
    });
    expect(env.values).toMatchObject({ A: 'from-process', B: 'from-dotenv', C: 'from-config' });
    expect([env.sourceOf('A'), env.sourceOf('B'), env.sourceOf('C'), env.sourceOf('D')]).toEqual([
      'process',
      'dotenv',
      'config',
      undefined,
    ]);
    expect(env.dotenvLoaded).toBe(true);
  });

  it('is fine without a .env file (a fresh clone has none)', () => {
    const env = buildEnvironment({ processEnv: {}, dotenvPath: join(dir, 'missing.env') });
    expect(env.dotenvLoaded).toBe(false);
    expect(env.values).toEqual({});
  });
});
