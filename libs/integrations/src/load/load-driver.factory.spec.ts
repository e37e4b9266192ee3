import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type OpscrewConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { createLoadDriver } from './load-driver.factory';

describe('createLoadDriver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-load-'));
  const locustfile = join(dir, 'locustfile.py');
  writeFileSync(locustfile, 'from locust import HttpUser\n');
  const shipped = loadConfig({
    configDir: SHIPPED_CONFIG_DIR,
    env: { OPSCREW_SHOP_TOKEN: 't' },
  }).config;
  const withKind = (kind: 'auto' | 'locust' | 'builtin'): OpscrewConfig => ({
    ...shipped,
    integrations: { ...shipped.integrations, load: { ...shipped.integrations.load, kind } },
  });
  const logger = { log: jest.fn(), warn: jest.fn() };
  const builtin = {
    tasks: [{ name: 'home', weight: 1, requests: () => [] }],
    think_time_ms: { min: 500, max: 2000 },
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('auto: Locust when the binary runs and the locustfile exists, else the built-in driver', async () => {
    const present = (): string => locustfile;
    const absent = (): string => join(dir, 'missing.py');
    const yes = (): Promise<boolean> => Promise.resolve(true);
    const no = (): Promise<boolean> => Promise.resolve(false);
    expect(
      (
        await createLoadDriver(withKind('auto'), {
          resolvePath: present,
          builtin,
          locustInstalled: yes,
          logger,
        })
      ).kind,
    ).toBe('locust');
    expect(
      (
        await createLoadDriver(withKind('auto'), {
          resolvePath: present,
          builtin,
          locustInstalled: no,
          logger,
        })
      ).kind,
    ).toBe('builtin');
    expect(
      (
        await createLoadDriver(withKind('auto'), {
          resolvePath: absent,
          builtin,
          locustInstalled: yes,
          logger,
        })
      ).kind,
    ).toBe('builtin');
    expect(logger.log).toHaveBeenCalledWith('load: built-in driver (locust is not installed)');
  });

  it('locust and builtin are taken as configured', async () => {
    const resolvePath = (): string => locustfile;
    expect(
      (await createLoadDriver(withKind('locust'), { resolvePath, logger, builtin })).kind,
    ).toBe('locust');
    expect(
      (await createLoadDriver(withKind('builtin'), { resolvePath, logger, builtin })).kind,
    ).toBe('builtin');
  });
});
