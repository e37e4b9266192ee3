import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUS_USERS,
  type BusUser,
  generateNatsPassword,
  natsPasswordVariable,
} from '@opscrew/messaging/bus-admin';

/** Where the embedded path keeps its NATS server: credentials, nats.conf, the store, its URL. */
export const LOCAL_NATS_DIR = 'var/nats';
export const CREDENTIALS_FILE = 'credentials.env';
/** Owner read/write only: the file holds every user's password, admin's included. */
export const CREDENTIALS_MODE = 0o600;

export type Passwords = Readonly<Record<BusUser, string>>;

export interface LocalCredentials {
  readonly path: string;
  readonly passwords: Passwords;
  /** Users whose password this call generated (all of them on first start, none after). */
  readonly generated: readonly BusUser[];
}

/**
 * The embedded bus's credentials (`<dir>/credentials.env`, `NATS_PASSWORD_<USER>=…` lines):
 * generated on first start, kept across starts. A password already in the file is never
 * replaced; a user the file lacks (one added since) gets a new line. The file is created
 * with mode 0600 and put back to 0600 when it was loosened.
 */
export function ensureLocalCredentials(dir: string): LocalCredentials {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, CREDENTIALS_FILE);
  const existing = existsSync(path) ? readCredentialsFile(path) : new Map<string, string>();
  const generated = BUS_USERS.filter((user) => !existing.has(natsPasswordVariable(user)));
  if (generated.length > 0) {
    const lines = generated.map(
      (user) => `${natsPasswordVariable(user)}=${generateNatsPassword()}`,
    );
    const header = existsSync(path)
      ? ''
      : '# NATS passwords of the embedded bus (npm start / npm run demo), generated on first start.\n' +
        '# Kept across starts; delete this file and var/nats/store to start over. Never commit it.\n';
    // `a` creates the file when missing; mode applies to creation only (chmod below covers the rest).
    writeFileSync(path, `${header}${lines.join('\n')}\n`, { flag: 'a', mode: CREDENTIALS_MODE });
  }
  if ((statSync(path).mode & 0o777) !== CREDENTIALS_MODE) chmodSync(path, CREDENTIALS_MODE);
  return { path, passwords: passwordsFrom(readCredentialsFile(path), path), generated };
}

/** Reads a credentials file written by ensureLocalCredentials; every user must be in it. */
export function readLocalCredentials(path: string): Passwords {
  return passwordsFrom(readCredentialsFile(path), path);
}

function passwordsFrom(values: ReadonlyMap<string, string>, path: string): Passwords {
  const passwords: Partial<Record<BusUser, string>> = {};
  for (const user of BUS_USERS) {
    const value = values.get(natsPasswordVariable(user));
    if (value === undefined || !/^[A-Za-z][A-Za-z0-9]*$/.test(value)) {
      throw new Error(
        `${path}: ${natsPasswordVariable(user)} is missing or not letters and digits starting with a letter`,
      );
    }
    passwords[user] = value;
  }
  return passwords as Passwords;
}

/** `KEY=value` lines; blank lines and `#` comments skipped. */
function readCredentialsFile(path: string): Map<string, string> {
  const values = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
      if (!match) throw new Error(`${path}:${index + 1}: expected NAME=value`);
      values.set(match[1] ?? '', match[2] ?? '');
    });
  return values;
}
