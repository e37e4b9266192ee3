import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';

export interface EnvironmentSources {
  /** The process environment: highest precedence, nothing overrides it. */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** Path of a `.env` file; a missing file is fine (a fresh clone has none). */
  readonly dotenvPath?: string;
  /** The config's own `env` block: lowest precedence, fills only unset keys. */
  readonly configEnv?: Readonly<Record<string, string>>;
}

export interface Environment {
  readonly values: Readonly<Record<string, string | undefined>>;
  /** Which layer each value came from, for `config check --explain`-style output and tests. */
  readonly sourceOf: (name: string) => 'process' | 'dotenv' | 'config' | undefined;
  readonly dotenvLoaded: boolean;
}

/**
 * Assemble variables with OpenClaw's precedence: process environment, then
 * `.env`, then the config's `env` block; nothing overrides a value already set.
 */
export function buildEnvironment(sources: EnvironmentSources): Environment {
  let dotenv: Record<string, string> = {};
  let dotenvLoaded = false;
  if (sources.dotenvPath && existsSync(sources.dotenvPath)) {
    dotenv = parseDotenv(readFileSync(sources.dotenvPath));
    dotenvLoaded = true;
  }
  const configEnv = sources.configEnv ?? {};
  const values: Record<string, string | undefined> = { ...configEnv, ...dotenv };
  for (const [key, value] of Object.entries(sources.processEnv)) {
    if (value !== undefined) values[key] = value;
  }
  const sourceOf = (name: string): 'process' | 'dotenv' | 'config' | undefined => {
    if (sources.processEnv[name] !== undefined) return 'process';
    if (name in dotenv) return 'dotenv';
    if (name in configEnv) return 'config';
    return undefined;
  };
  return { values, sourceOf, dotenvLoaded };
}
