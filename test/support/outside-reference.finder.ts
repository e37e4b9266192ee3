import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A line that reaches for files beside the repository. */
export interface OutsideReference {
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  text: string;
}

/**
 * The forms a path to the reference folder beside the repository takes: "shared" one or more
 * levels up (either slash), the same folder by its absolute path under /work, and the two
 * segments joined in code (a `'..'` argument followed by a `'shared'` one). Written so that
 * neither this file nor its comments match.
 */
const OUTSIDE_PATTERNS: readonly RegExp[] = [
  /\.\.[\\/]+shared\b/,
  /[\\/]work[\\/]+shared\b/,
  /(['"`])\.\.\1\s*,\s*(['"`])shared\2/,
];

/** Folders never scanned: installed packages and build or run output. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'var', 'coverage', '.git']);
/** Notes on where vendored files came from may name where they were copied from. */
const SKIPPED_FILES = new Set(['SOURCE.md']);

export function referencesOutside(text: string): boolean {
  return OUTSIDE_PATTERNS.some((pattern) => pattern.test(text));
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !SKIPPED_DIRS.has(name))
    .flatMap((name) => filesUnder(join(path, name)));
}

/** Every line of the text files under `paths` (files or folders in `root`) reaching outside. */
export function findOutsideReferences(root: string, paths: readonly string[]): OutsideReference[] {
  const found: OutsideReference[] = [];
  for (const file of paths.flatMap((path) => filesUnder(join(root, path)))) {
    if (SKIPPED_FILES.has(file.split(/[\\/]/).pop() ?? '')) continue;
    const text = readFileSync(file, 'utf8');
    if (text.includes('\u0000')) continue; // binary
    text.split('\n').forEach((line, i) => {
      if (referencesOutside(line)) {
        found.push({
          file: relative(root, file).split('\\').join('/'),
          line: i + 1,
          text: line.trim(),
        });
      }
    });
  }
  return found;
}
