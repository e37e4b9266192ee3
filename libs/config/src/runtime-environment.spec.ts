import { join, resolve } from 'node:path';
import { packageRoot, readRuntimeEnvironment } from './runtime-environment';

describe('readRuntimeEnvironment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('takes --config over OPSCREW_CONFIG over ./config', () => {
    process.env.OPSCREW_CONFIG = '/etc/opscrew';
    expect(readRuntimeEnvironment({ configDir: 'custom' }).configDir).toBe(resolve('custom'));
    expect(readRuntimeEnvironment().configDir).toBe('/etc/opscrew');
    delete process.env.OPSCREW_CONFIG;
    expect(readRuntimeEnvironment().configDir).toBe(join(packageRoot(), 'config'));
  });

  it('lets PORT override the configured port, and rejects a bad one by name', () => {
    process.env.PORT = '4100';
    expect(readRuntimeEnvironment().port).toBe(4100);
    process.env.PORT = 'eighty';
    expect(() => readRuntimeEnvironment()).toThrow(
      'PORT: must be an integer between 1 and 65535, got "eighty"',
    );
    process.env.PORT = '70000';
    expect(() => readRuntimeEnvironment()).toThrow(/PORT: must be an integer/);
    delete process.env.PORT;
    expect(readRuntimeEnvironment().port).toBeUndefined();
  });

  it('checks the log level', () => {
    process.env.OPSCREW_LOG_LEVEL = 'chatty';
    expect(() => readRuntimeEnvironment()).toThrow(
      'OPSCREW_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "chatty"',
    );
    process.env.OPSCREW_LOG_LEVEL = 'debug';
    expect(readRuntimeEnvironment().logLevel).toBe('debug');
  });

  it('finds the package root from source or build', () => {
    expect(packageRoot()).toBe(resolve(__dirname, '../../..'));
  });
});
