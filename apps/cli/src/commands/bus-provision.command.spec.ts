import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@opscrew/config';
import { ConfigFixture } from '@opscrew/config/testing';
import { type ProvisionReport } from '@opscrew/messaging';
import { ensureLocalCredentials } from '../local-nats/local-credentials';
import {
  describeProvisioning,
  provisionCredentials,
  summarizeProvisioning,
} from './bus-provision.command';

describe('opscrew bus provision', () => {
  const fixture = ConfigFixture.shipped();
  const loaded = loadConfig({ configDir: fixture.dir, env: {} });
  afterAll(() => fixture.remove());

  it('connects as admin when NATS_PASSWORD_ADMIN is set', () => {
    expect(provisionCredentials(loaded, undefined, { NATS_PASSWORD_ADMIN: 'padmin' })).toEqual({
      user: 'admin',
      pass: 'padmin',
      source: 'NATS_PASSWORD_ADMIN',
    });
  });

  it('--user X takes its password from NATS_PASSWORD_X, and says which variable is missing', () => {
    expect(
      provisionCredentials(loaded, 'ops-monitor', { NATS_PASSWORD_OPS_MONITOR: 'pmon' }),
    ).toEqual({ user: 'ops-monitor', pass: 'pmon', source: 'NATS_PASSWORD_OPS_MONITOR' });
    expect(provisionCredentials(loaded, 'ops-monitor', {})).toEqual({
      problem: '--user ops-monitor: set NATS_PASSWORD_OPS_MONITOR to its password',
    });
    expect(provisionCredentials(loaded, 'root', {})).toEqual({
      problem: expect.stringMatching(/^unknown NATS user "root" \(users: atlas, .*admin\)$/),
    });
  });

  it("uses the config's own credentials (none: an open bus) when no admin password is around", () => {
    expect(provisionCredentials(loaded, undefined, {})).toBeNull();
  });

  it("finds the embedded bus's admin in <project>/var/nats, and its URL unless NATS_URL is set", () => {
    const project = mkdtempSync(join(tmpdir(), 'opscrew-provision-'));
    try {
      const config = join(project, 'config');
      mkdirSync(config);
      const local = loadConfig({ configDir: fixture.dir, env: {} });
      const here = { ...local, resolvePath: (path: string) => join(project, path) };
      const { passwords, path } = ensureLocalCredentials(join(project, 'var', 'nats'));
      writeFileSync(join(project, 'var', 'nats', 'url'), 'nats://127.0.0.1:4322\n');
      expect(provisionCredentials(here, undefined, {})).toEqual({
        user: 'admin',
        pass: passwords.admin,
        source: path,
        servers: ['nats://127.0.0.1:4322'],
      });
      expect(provisionCredentials(here, undefined, { NATS_URL: 'nats://elsewhere:4222' })).toEqual({
        user: 'admin',
        pass: passwords.admin,
        source: path,
      });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('prints one line per item and a summary', () => {
    const report: ProvisionReport = {
      stream: { name: 'OPS', action: 'updated', changes: ['max_age 1 → 2'] },
      deadLetterStream: { name: 'DEADLETTERS', action: 'unchanged' },
      consumers: [{ name: 'atlas-ledger', action: 'created' }],
      buckets: [{ name: 'incidents', action: 'unchanged' }],
    };
    expect(describeProvisioning(report)).toEqual([
      'stream OPS: updated (max_age 1 → 2)',
      'stream DEADLETTERS: unchanged',
      'consumer atlas-ledger: created',
      'bucket incidents: unchanged',
    ]);
    expect(summarizeProvisioning(report)).toBe('1 created, 1 updated, 2 unchanged');
  });
});
