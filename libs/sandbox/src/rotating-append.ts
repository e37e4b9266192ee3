import { appendFile, readdir, rename, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { type FileAccessPolicy } from './file-access.port';
import { writablePath } from './writable-path';

/** When an append-only file is rotated (`files.rotate` in the config). */
export interface RotationPolicy {
  /** The live file is rotated before an append that would take it past this size. */
  readonly max_bytes: number;
  /** Rotated files kept besides the live one (`file.1.ext` newest … `file.<keep>.ext` oldest). */
  readonly keep: number;
}

/** 10 MiB × 5: at most ~60 MiB per file, weeks of audit lines for the demo crew. */
export const DEFAULT_ROTATION: RotationPolicy = { max_bytes: 10 * 1024 * 1024, keep: 5 };

export interface RotatingAppendOptions {
  /** The agent's filesystem sandbox, checked before every rename and the append. */
  readonly files?: FileAccessPolicy;
  /** Absent: the file only grows (tests, tools). */
  readonly rotate?: RotationPolicy;
  /** Mode of a file the append creates. */
  readonly mode?: number;
}

/**
 * `var/audit/atlas.jsonl` → `var/audit/atlas.<n>.jsonl`; `n` 0 is the live file. The number
 * goes before the extension so the rotated files keep it (`*.jsonl` still finds them).
 */
export function rotatedPath(path: string, n: number): string {
  if (n === 0) return path;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${n}${ext}`);
}

/** The rotation number of `candidate` as a rotation of `path` (0: the live file), or null. */
export function rotationNumber(path: string, candidate: string): number | null {
  if (candidate === path) return 0;
  if (dirname(candidate) !== dirname(path)) return null;
  const ext = extname(path);
  const stem = basename(path, ext);
  const name = basename(candidate);
  if (!name.startsWith(`${stem}.`) || !name.endsWith(ext)) return null;
  const middle = name.slice(stem.length + 1, name.length - ext.length);
  return /^[1-9][0-9]{0,5}$/.test(middle) ? Number(middle) : null;
}

/**
 * The files of `path` that exist, oldest first, live file last: what a reader reads in order.
 * Every rotation number on disk is listed (a crash mid-rotation can leave a gap).
 */
export async function rotationsOf(path: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((name) => join(dirname(path), name))
    .map((file) => ({ file, n: rotationNumber(path, file) }))
    .filter((entry): entry is { file: string; n: number } => entry.n !== null)
    .sort((a, b) => b.n - a.n)
    .map((entry) => entry.file);
}

/**
 * Appends `text` (whole lines) to `path`, rotating first when the live file is not empty and
 * the append would take it past `max_bytes`: `file.<keep-1>` → `file.<keep>` (the oldest is
 * replaced), …, `file.1` → `file.2`, then `file` → `file.1`; the text goes to a new live file.
 *
 * A line is never split: a line longer than max_bytes goes alone into a fresh file (the one
 * case a file is over its size). Each rename is atomic, so a crash mid-rotation loses no line:
 * at worst it leaves a gap in the numbers (readers list what exists), or the live file missing
 * until the next append creates it. Callers serialise their appends (one writer per file);
 * two processes sharing one file may rotate it twice in a row, which loses nothing either.
 */
export async function appendRotating(
  path: string,
  text: string,
  options: RotatingAppendOptions = {},
): Promise<void> {
  const { files, rotate, mode } = options;
  const target = await writablePath(files, path);
  if (rotate !== undefined) {
    const size = await sizeOf(target);
    if (size > 0 && size + Buffer.byteLength(text, 'utf8') > rotate.max_bytes) {
      await rotateFiles(path, rotate.keep, files);
    }
  }
  await appendFile(
    await writablePath(files, path),
    text,
    mode === undefined ? { flag: 'a' } : { flag: 'a', mode },
  );
}

async function rotateFiles(
  path: string,
  keep: number,
  files: FileAccessPolicy | undefined,
): Promise<void> {
  for (let n = keep - 1; n >= 0; n--) {
    const from = await writablePath(files, rotatedPath(path, n));
    const to = await writablePath(files, rotatedPath(path, n + 1));
    try {
      await rename(from, to);
    } catch (err: unknown) {
      // A gap (a crash mid-rotation, or fewer files so far) is not an error.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err: unknown) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}
