import { join } from 'node:path';

/** Where each agent's audit JSONL lives, relative to the project root. */
export const AUDIT_DIR = 'var/audit';

/** `var/audit/<agent>.jsonl`: one append-only file per agent, so no two writers share one. */
export function auditFileFor(agent: string): string {
  return join(AUDIT_DIR, `${agent}.jsonl`);
}
