import { existsSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { AGENT_NAMES } from '@opscrew/contracts';
import {
  AUDIT_DIR,
  AUDIT_TAIL_MAX_LINES,
  type AuditRecord,
  auditFileFor,
  readAuditTail,
} from '@opscrew/guardrails';
import { type CliIo, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface AuditTailOptions extends ConfigCommandOptions {
  /** How many records (newest last), 1..AUDIT_TAIL_MAX_LINES. */
  readonly lines?: string;
  readonly agent?: string;
  /** One JSON object per line instead of the readable form. */
  readonly json?: boolean;
}

const DEFAULT_LINES = 20;
/**
 * The audit files there are: one per agent, plus `mcp` (every `opscrew mcp`
 * process appends there, so the stdio tools never share atlas's file).
 */
const AUDIT_SOURCES: readonly string[] = [...AGENT_NAMES, 'mcp'];

/**
 * `opscrew audit tail`: the last records of the agents' audit logs
 * (`var/audit/<agent>.jsonl` and its rotations `<agent>.<n>.jsonl`), merged in
 * time order — what was decided, by whom, allowed or refused, and the input's
 * digest (never the input).
 */
export async function auditTail(options: AuditTailOptions, io: CliIo): Promise<number> {
  const lines = options.lines === undefined ? DEFAULT_LINES : Number(options.lines);
  if (!Number.isSafeInteger(lines) || lines < 1 || lines > AUDIT_TAIL_MAX_LINES) {
    io.err(
      `opscrew audit tail: -n must be a whole number 1..${AUDIT_TAIL_MAX_LINES}, got "${options.lines ?? ''}"`,
    );
    return EXIT_INVALID;
  }
  if (options.agent !== undefined && !AUDIT_SOURCES.includes(options.agent)) {
    io.err(
      `opscrew audit tail: unknown agent "${options.agent}" (one of ${AUDIT_SOURCES.join(', ')})`,
    );
    return EXIT_INVALID;
  }
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  const { loaded } = result;
  const agents = options.agent !== undefined ? [options.agent] : agentsWithLogs(loaded);
  const records: AuditRecord[] = [];
  for (const agent of agents)
    records.push(...(await readAuditTail(loaded.resolvePath(auditFileFor(agent)), lines)));
  records.sort((a, b) => a.at.localeCompare(b.at));
  const shown = records.slice(-lines);
  if (shown.length === 0) {
    io.err(`no audit records in ${loaded.resolvePath(AUDIT_DIR)}`);
    return EXIT_OK;
  }
  for (const record of shown) io.out(options.json ? JSON.stringify(record) : describe(record));
  return EXIT_OK;
}

/** Every source that has an audit file (known ones only: other files there are not ours). */
function agentsWithLogs(loaded: { resolvePath(path: string): string }): string[] {
  const dir = loaded.resolvePath(AUDIT_DIR);
  if (!existsSync(dir)) return [];
  const present = new Set(
    readdirSync(dir)
      .filter((file) => file.endsWith('.jsonl'))
      // `atlas.2.jsonl` is a rotation of atlas's log (files.rotate): only rotations may be left.
      .map((file) => basename(file, '.jsonl').replace(/\.[1-9][0-9]*$/, '')),
  );
  return AUDIT_SOURCES.filter((agent) => present.has(agent));
}

/** One readable line; control characters in logged text are escaped, never replayed to the terminal. */
function describe(record: AuditRecord): string {
  const where = [
    record.incident_id,
    record.revision !== undefined ? `rev ${record.revision}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    `${record.at} ${record.agent} ${record.verdict.toUpperCase()} ${record.action}` +
    `${where ? ` [${where}]` : ''}: ${escapeControl(record.result)} (input sha256 ${record.input_digest.slice(0, 12)})`
  );
}

function escapeControl(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    // C0, DEL and C1: exactly the characters a terminal would act on.
    out +=
      code < 0x20 || (code >= 0x7f && code <= 0x9f)
        ? `\\u${code.toString(16).padStart(4, '0')}`
        : char;
  }
  return out;
}
