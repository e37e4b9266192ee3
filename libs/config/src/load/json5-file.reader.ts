import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import JSON5 from 'json5';

/** OpenClaw refuses include files above 2 MiB: a config that large is a mistake, not a config. */
export const MAX_CONFIG_FILE_BYTES = 2 * 1024 * 1024;

export type ReadResult =
  | { ok: true; value: unknown; realPath: string }
  | { ok: false; message: string; line?: number; column?: number };

interface Json5SyntaxError extends SyntaxError {
  lineNumber?: number;
  columnNumber?: number;
}

function isJson5SyntaxError(error: unknown): error is Json5SyntaxError {
  return error instanceof SyntaxError;
}

/** Read one JSON5 file: regular file only, size-capped, BOM stripped, parse errors with a position. */
export function readJson5File(absolutePath: string): ReadResult {
  let realPath: string;
  try {
    realPath = realpathSync(absolutePath);
    const stat = statSync(realPath);
    if (!stat.isFile()) {
      return { ok: false, message: `not a regular file: ${absolutePath}` };
    }
    if (stat.size > MAX_CONFIG_FILE_BYTES) {
      return {
        ok: false,
        message: `file is ${stat.size} bytes, larger than the ${MAX_CONFIG_FILE_BYTES}-byte limit: ${absolutePath}`,
      };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`;
    // lstat tells a dangling symlink apart from a missing file: the fix differs.
    try {
      if (lstatSync(absolutePath).isSymbolicLink()) {
        return { ok: false, message: `dangling symlink: ${absolutePath}` };
      }
    } catch {
      /* not there at all: the message above says so */
    }
    return { ok: false, message: `${what}: ${absolutePath}` };
  }

  let text = readFileSync(realPath, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON5.parse(text), realPath };
  } catch (error) {
    if (isJson5SyntaxError(error)) {
      // json5 prefixes "JSON5: " and appends " at L:C"; the position goes in front instead.
      const message = error.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
      return {
        ok: false,
        message: `syntax error: ${message}`,
        line: error.lineNumber ?? 1,
        column: error.columnNumber ?? 1,
      };
    }
    throw error;
  }
}
