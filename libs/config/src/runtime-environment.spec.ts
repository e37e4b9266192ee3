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

  it("reads the supervisor's control endpoint (both variables, loopback only), naming what is wrong", () => {
    const env = (vars: Record<string, string>) => readRuntimeEnvironment({ env: vars });
    delete process.env.OPSCREW_SUPERVISOR_URL;
    delete process.env.OPSCREW_SUPERVISOR_TOKEN;
    expect(env({}).supervisorControl).toBeUndefined();
    expect(
      env({ OPSCREW_SUPERVISOR_URL: 'http://127.0.0.1:4321', OPSCREW_SUPERVISOR_TOKEN: 't' })
        .supervisorControl,
    ).toEqual({ url: 'http://127.0.0.1:4321', token: 't' });
    expect(() => env({ OPSCREW_SUPERVISOR_URL: 'http://127.0.0.1:4321' })).toThrow(
      /OPSCREW_SUPERVISOR_URL and OPSCREW_SUPERVISOR_TOKEN go together/,
    );
    expect(() =>
      env({ OPSCREW_SUPERVISOR_URL: 'http://10.0.0.5:4321', OPSCREW_SUPERVISOR_TOKEN: 't' }),
    ).toThrow(
      'OPSCREW_SUPERVISOR_URL: must be http://127.0.0.1:<port>, got "http://10.0.0.5:4321"',
    );
  });

  it('finds the package root from source or build', () => {
    expect(packageRoot()).toBe(resolve(__dirname, '../../..'));
  });
});
