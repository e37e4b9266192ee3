import { errorMessage } from '@opscrew/contracts';
import { rotationsOf } from '@opscrew/sandbox';
import { open } from 'node:fs/promises';
import { type AuditRecord } from './audit-record';

/** Read backwards in 64 KiB steps: a few hundred audit lines per step, few syscalls. */
const TAIL_CHUNK_BYTES = 64 * 1024;
/** `opscrew audit tail` shows screens, not archives: more than this is a grep job. */
export const AUDIT_TAIL_MAX_LINES = 10_000;

/**
 * The last `n` records of an audit log, oldest first, across its rotations
 * (`<agent>.jsonl` newest, then `<agent>.1.jsonl`, `.2` …): each file is read
 * from the end (never loaded whole), and older files only while fewer than
 * `n` records were found, so the tail is whole even just after a rotation.
 * No file has no records; a line that is not a JSON object (a torn append
 * after a crash) is skipped.
 */
export async function readAuditTail(path: string, n: number): Promise<AuditRecord[]> {
  if (!Number.isSafeInteger(n) || n < 1 || n > AUDIT_TAIL_MAX_LINES) {
    throw new RangeError(`audit tail: n must be an integer 1..${AUDIT_TAIL_MAX_LINES}, got ${n}`);
  }
  const files = await rotationsOf(path).catch((err: unknown) => {
    throw new Error(`audit tail ${path}: cannot list its folder: ${errorMessage(err)}`);
  });
  let records: AuditRecord[] = [];
  // Newest file first; rotationsOf lists them oldest first.
  for (const file of files.reverse()) {
    if (records.length >= n) break;
    records = [...(await readFileTail(file, n - records.length)), ...records];
  }
  return records;
}

/** The last `n` records of one file, oldest first. */
async function readFileTail(path: string, n: number): Promise<AuditRecord[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`audit tail ${path}: cannot open: ${errorMessage(err)}`);
  }
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    // n records need n + 1 newlines before them to be whole (the file ends with one).
    while (position > 0 && newlines <= n) {
      const length = Math.min(TAIL_CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    // Unless we read from the start, the first line may be cut: drop it.
    if (position > 0) lines.shift();
    const records = lines.flatMap((line) => parseRecord(line));
    return records.slice(-n);
  } finally {
    await handle.close();
  }
}

function parseRecord(line: string): AuditRecord[] {
  if (line.trim() === '') return [];
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { action?: unknown }).action === 'string' &&
      typeof (value as { input_digest?: unknown }).input_digest === 'string'
    ) {
      return [value as AuditRecord];
    }
  } catch {
    // torn line: skipped
  }
  return [];
}
