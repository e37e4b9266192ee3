import { lstatSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { errorMessage } from '@opscrew/contracts';
import { type FileAccessPolicy, type FileOperation } from './file-access.port';
import { rotationNumber } from './rotating-append';
import { SandboxViolationError } from './sandbox-violation.error';

export interface FileSandboxOptions {
  readonly agent: string;
  /** The project root (the config directory's parent): the entries are relative to it. */
  readonly projectRoot: string;
  /** `sandbox.filesystem.read`: `dir/` = everything below dir, `file` = that one file. */
  readonly read: readonly string[];
  /** `sandbox.filesystem.write`: same form. Writing does not imply reading (see FileSandbox). */
  readonly write: readonly string[];
  /** Called with every refusal before it is thrown (log, audit); its own failure is ignored. */
  readonly onViolation?: (violation: SandboxViolationError) => void;
}

/** One `sandbox.filesystem` entry, resolved once at construction. */
interface AllowedEntry {
  /** As configured (shown in errors). */
  readonly entry: string;
  /** Its real absolute path (symlinks of existing ancestors resolved). */
  readonly path: string;
  /** Written with a trailing `/`: matches what is below it, never itself or a sibling. */
  readonly directory: boolean;
}

type Resolution = { readonly real: string } | { readonly refused: string };

/**
 * The filesystem sandbox of one agent. `checkRead` / `checkWrite` return the
 * real absolute path the caller must open, or throw SandboxViolationError.
 *
 * Rules, in order:
 * - a path is a non-empty string without a NUL byte (the kernel would cut it
 *   there, so the checked and the opened file could differ);
 * - no `..` segment at all: lexical normalisation and the kernel disagree on
 *   `link/..`, so no `..` is interpreted rather than one interpreted wrongly;
 * - relative paths are relative to the project root; absolute paths are
 *   taken as they are and must land inside an allowed entry like any other;
 * - the real path is what is checked: the longest existing ancestor goes
 *   through realpath and the missing rest is appended, so a symlink (the file
 *   itself, or any folder above it) pointing outside is refused, and a file
 *   that does not exist yet is judged by its parent's real path. A dangling
 *   symlink is refused: opening it for writing would create its target;
 * - `dir/` entries match descendants only (`var/incidents/` does not match
 *   `var/incidents-evil/x` nor `var/incidents` itself); an entry without a
 *   trailing `/` is one exact file (`var/notifications.jsonl`) and its numbered
 *   rotations beside it (`var/notifications.1.jsonl`, see rotating-append.ts),
 *   so a file that rotates by size needs no folder-wide entry;
 * - the entries are resolved the same way at construction, so a project root
 *   reached through a symlink (`/srv/opscrew -> /data/opscrew`) works; an
 *   entry that resolves outside the real project root (a symlink planted in
 *   var/) is a construction error — mount a volume there instead.
 *
 * Writing does NOT imply reading: an agent that appends to a file and reads
 * it back (the audit log's torn-line check, the notifier's idempotency keys)
 * lists it in both. An append-only writer then cannot be turned into a reader
 * of what it writes by a config typo, and each list says exactly what it says.
 *
 * What this does not close: a folder swapped for a symlink between the check
 * and the open (a time-of-check race by someone who can already write inside
 * the agent's own folders). The check is repeated right before every open to
 * keep that window to microseconds.
 */
export class FileSandbox implements FileAccessPolicy {
  readonly agent: string;
  /** The real project root. */
  readonly projectRoot: string;
  private readonly entries: Readonly<Record<FileOperation, readonly AllowedEntry[]>>;
  private readonly onViolation: ((violation: SandboxViolationError) => void) | undefined;

  constructor(options: FileSandboxOptions) {
    this.agent = options.agent;
    const root = resolveReal(resolve(options.projectRoot));
    if ('refused' in root) {
      throw new Error(
        `file sandbox of ${options.agent}: project root ${options.projectRoot}: ${root.refused}`,
      );
    }
    this.projectRoot = root.real;
    this.entries = {
      read: options.read.map((entry, index) => this.allowedEntry(entry, 'read', index)),
      write: options.write.map((entry, index) => this.allowedEntry(entry, 'write', index)),
    };
    this.onViolation = options.onViolation;
  }

  checkRead(path: string): string {
    return this.check('read', path);
  }

  checkWrite(path: string): string {
    return this.check('write', path);
  }

  /** The configured entries of one list (for messages and diagnostics). */
  allowed(operation: FileOperation): readonly string[] {
    return this.entries[operation].map((e) => e.entry);
  }

  private check(operation: FileOperation, path: string): string {
    const refuse = (reason: string, resolved: string | null = null): never => {
      const violation = new SandboxViolationError({
        agent: this.agent,
        operation,
        requested: String(path),
        resolved,
        allowed: this.allowed(operation),
        reason,
      });
      try {
        this.onViolation?.(violation);
      } catch {
        // Reporting must never turn a refusal into something else.
      }
      throw violation;
    };
    if (typeof path !== 'string' || path.length === 0) return refuse('an empty path');
    if (path.includes('\0')) return refuse('the path contains a NUL byte');
    if (hasParentSegment(path)) return refuse('the path contains a ".." segment');
    const resolution = resolveReal(resolve(this.projectRoot, path));
    if ('refused' in resolution) return refuse(resolution.refused);
    const real = resolution.real;
    if (!this.entries[operation].some((allowed) => covers(allowed, real))) {
      return refuse(`it is outside the ${operation} list`, real);
    }
    return real;
  }

  /** A config entry: relative, inside the project root, no NUL, no `..`. A bad one is a wiring error. */
  private allowedEntry(entry: string, operation: FileOperation, index: number): AllowedEntry {
    const where = `agents.${this.agent}.sandbox.filesystem.${operation}[${index}]`;
    const bad = (why: string): never => {
      throw new Error(`file sandbox: ${where} ${JSON.stringify(entry)}: ${why}`);
    };
    if (entry.length === 0) return bad('is empty');
    if (entry.includes('\0')) return bad('contains a NUL byte');
    if (isAbsolute(entry)) return bad('must be relative to the project root');
    if (hasParentSegment(entry)) return bad('must not contain ".."');
    const resolution = resolveReal(resolve(this.projectRoot, entry));
    if ('refused' in resolution) return bad(resolution.refused);
    // A symlink in the project pointing out would widen the sandbox to wherever it points:
    // whoever planted it before the agent started would choose where the agent writes.
    if (!covers({ entry: '', path: this.projectRoot, directory: true }, resolution.real)) {
      return bad(`resolves to ${resolution.real}, outside the project root ${this.projectRoot}`);
    }
    return { entry, path: resolution.real, directory: entry.endsWith('/') };
  }
}

function hasParentSegment(path: string): boolean {
  return path.split(/[\\/]/).includes('..');
}

function covers(allowed: AllowedEntry, real: string): boolean {
  if (!allowed.directory) return rotationNumber(allowed.path, real) !== null;
  const base = allowed.path.endsWith(sep) ? allowed.path : `${allowed.path}${sep}`;
  return real.startsWith(base) && real.length > base.length;
}

/**
 * The real path of `absolute`: realpath of its longest existing ancestor plus
 * the segments that do not exist yet. Refused: a dangling symlink on the way
 * (realpath says ENOENT but lstat sees a link), a loop, a file used as a
 * folder, anything that cannot be resolved (fail closed).
 */
function resolveReal(absolute: string): Resolution {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = realpathSync(current);
      return { real: missing.length === 0 ? real : join(real, ...missing.reverse()) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        return { refused: `${current} cannot be resolved (${code ?? errorMessage(error)})` };
      }
      if (existsAsLink(current)) {
        return { refused: `${current} is a symlink that points to nothing` };
      }
      const parent = dirname(current);
      if (parent === current) return { refused: 'no part of the path exists' };
      missing.push(basename(current));
      current = parent;
    }
  }
}

function existsAsLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
