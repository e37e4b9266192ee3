import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUS_USERS, generateNatsPassword, natsPasswordVariable } from '@opscrew/messaging';
import {
  CREDENTIALS_FILE,
  ensureLocalCredentials,
  readLocalCredentials,
} from './local-credentials';

describe('embedded bus credentials (var/nats/credentials.env)', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'opscrew-creds-')), 'var', 'nats');
  });
  afterEach(() => rmSync(join(dir, '..', '..'), { recursive: true, force: true }));

  it('generates one password per user on first start, in a file only its owner can read', () => {
    const first = ensureLocalCredentials(dir);
    expect(first.path).toBe(join(dir, CREDENTIALS_FILE));
    expect(first.generated).toEqual(BUS_USERS);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const user of BUS_USERS) {
      // nats-server reads `$NATS_PASSWORD_…` as a token: a letter first, then letters and digits.
      expect(first.passwords[user]).toMatch(/^p[0-9a-f]{48}$/);
      expect(readFileSync(first.path, 'utf8')).toContain(
        `${natsPasswordVariable(user)}=${first.passwords[user]}\n`,
      );
    }
    expect(new Set(Object.values(first.passwords)).size).toBe(BUS_USERS.length);
  });

  it('is idempotent: a second start keeps every password and the file as it was', () => {
    const first = ensureLocalCredentials(dir);
    const content = readFileSync(first.path, 'utf8');
    const second = ensureLocalCredentials(dir);
    expect(second.generated).toEqual([]);
    expect(second.passwords).toEqual(first.passwords);
    expect(readFileSync(first.path, 'utf8')).toBe(content);
  });

  it('never overwrites: adds only a user the file lacks, and puts a loosened mode back to 0600', () => {
    const first = ensureLocalCredentials(dir);
    const withoutAdmin = readFileSync(first.path, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('NATS_PASSWORD_ADMIN='))
      .join('\n');
    writeFileSync(first.path, withoutAdmin);
    chmodSync(first.path, 0o644);
    const again = ensureLocalCredentials(dir);
    expect(again.generated).toEqual(['admin']);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    for (const user of BUS_USERS.filter((u) => u !== 'admin'))
      expect(again.passwords[user]).toBe(first.passwords[user]);
    expect(again.passwords.admin).not.toBe(first.passwords.admin);
    expect(readLocalCredentials(first.path)).toEqual(again.passwords);
  });

  it('refuses a file with a password nats-server could not read, naming the variable', () => {
    ensureLocalCredentials(dir);
    const path = join(dir, CREDENTIALS_FILE);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(/NATS_PASSWORD_CLI=\w+/, 'NATS_PASSWORD_CLI=1abc'),
    );
    expect(() => readLocalCredentials(path)).toThrow(
      `${path}: NATS_PASSWORD_CLI is missing or not letters and digits starting with a letter`,
    );
    writeFileSync(path, 'what is this\n');
    expect(() => readLocalCredentials(path)).toThrow(`${path}:1: expected NAME=value`);
  });

  it('generates distinct 192-bit passwords', () => {
    expect(generateNatsPassword()).not.toBe(generateNatsPassword());
    expect(generateNatsPassword()).toHaveLength(49);
  });
});
