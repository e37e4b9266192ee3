import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentName } from '@opscrew/contracts';
import { packageRoot } from '@opscrew/config';

/** Who this process is: reported by /health, heartbeats and logs. */
export class AgentIdentity {
  readonly pid = process.pid;
  readonly startedAt = new Date();

  constructor(
    readonly agent: AgentName,
    readonly version: string = packageVersion(),
  ) {}

  uptimeSeconds(now: Date = new Date()): number {
    return Math.max(0, Math.round((now.getTime() - this.startedAt.getTime()) / 100) / 10);
  }
}

let cachedVersion: string | undefined;

/** The opscrew package version (read once). */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    const manifest: unknown = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
    const version = (manifest as { version?: unknown }).version;
    cachedVersion = typeof version === 'string' ? version : '0.0.0';
  }
  return cachedVersion;
}
