import { errorMessage } from '@opscrew/contracts';
import { open } from 'node:fs/promises';
import { type AuditRecord } from './audit-record';

/** Read backwards in 64 KiB steps: a few hundred audit lines per step, few syscalls. */
const TAIL_CHUNK_BYTES = 64 * 1024;
/** `opscrew audit tail` shows screens, not archives: more than this is a grep job. */
export const AUDIT_TAIL_MAX_LINES = 10_000;

/**
 * The last `n` records of an audit file, oldest first, reading from the end
 * (the file only grows: never load it whole). A missing file has no records;
 * a line that is not a JSON object (a torn append after a crash) is skipped.
 */
export async function readAuditTail(path: string, n: number): Promise<AuditRecord[]> {
  if (!Number.isSafeInteger(n) || n < 1 || n > AUDIT_TAIL_MAX_LINES) {
    throw new RangeError(`audit tail: n must be an integer 1..${AUDIT_TAIL_MAX_LINES}, got ${n}`);
  }
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
