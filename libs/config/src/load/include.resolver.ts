import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { type ConfigIssue } from './config-issue';
import { type PathSegment, formatPath } from './config-path';
import { readJson5File } from './json5-file.reader';
import { FORBIDDEN_KEYS, type NodeOrigin, type SourcedNode, mergeNodes } from './sourced-node';

/** OpenClaw's limit: deeper nesting is almost always an accidental recursion. */
export const MAX_INCLUDE_DEPTH = 10;

export const INCLUDE_KEY = '$include';

/**
 * Resolves `$include` directives exactly as OpenClaw does (see REFERENCE.md):
 * a string or an array of strings, relative to the including file; one path
 * replaces the object, several are deep-merged in order; sibling keys override
 * the included content; depth ≤ 10; cycles and escapes from the config root are
 * errors. Problems are collected, not thrown, so one run reports all of them.
 */
export class IncludeResolver {
  private readonly issues: ConfigIssue[] = [];
  private readonly loaded = new Set<string>();

  constructor(
    /** Real path of the config root directory; includes must stay inside it. */
    private readonly rootDir: string,
    private readonly display: (absolutePath: string) => string,
  ) {}

  get problems(): readonly ConfigIssue[] {
    return this.issues;
  }

  /** Real paths of every file read, for summaries (`12 files`). */
  get files(): readonly string[] {
    return [...this.loaded];
  }

  /** Load the root file and everything it includes. */
  resolveRoot(rootFile: string): SourcedNode | undefined {
    return this.resolveFile(rootFile, [], undefined);
  }

  private resolveFile(
    absolutePath: string,
    chain: readonly string[],
    includedFrom: NodeOrigin | undefined,
  ): SourcedNode | undefined {
    const read = readJson5File(absolutePath);
    if (!read.ok) {
      if (read.line !== undefined) {
        this.issues.push({
          file: this.display(absolutePath),
          path: '',
          message: read.message,
          line: read.line,
          ...(read.column !== undefined ? { column: read.column } : {}),
        });
      } else {
        this.report(includedFrom ?? { file: absolutePath, path: [] }, read.message);
      }
      return undefined;
    }
    // Symlinks are re-checked: a link inside the root must not point outside it.
    if (!this.insideRoot(read.realPath)) {
      this.report(
        includedFrom ?? { file: absolutePath, path: [] },
        `Include path escapes config directory: ${absolutePath} (root: ${this.rootDir})`,
      );
      return undefined;
    }
    this.loaded.add(read.realPath);
    return this.build(read.value, { file: read.realPath, path: [] }, [...chain, read.realPath]);
  }

  private build(
    raw: unknown,
    origin: NodeOrigin,
    chain: readonly string[],
  ): SourcedNode | undefined {
    if (Array.isArray(raw)) {
      const items: SourcedNode[] = [];
      raw.forEach((item: unknown, index) => {
        const node = this.build(item, child(origin, index), chain);
        if (node) items.push(node);
      });
      return { kind: 'array', origin, items };
    }
    if (raw !== null && typeof raw === 'object') {
      const record = raw as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(record, INCLUDE_KEY)) {
        return this.buildInclude(record, origin, chain);
      }
      return this.buildObject(record, origin, chain);
    }
    if (
      typeof raw === 'string' ||
      typeof raw === 'number' ||
      typeof raw === 'boolean' ||
      raw === null
    ) {
      return { kind: 'scalar', origin, value: raw };
    }
    this.report(origin, `unsupported value of type ${typeof raw}`);
    return undefined;
  }

  private buildObject(
    record: Record<string, unknown>,
    origin: NodeOrigin,
    chain: readonly string[],
  ): SourcedNode {
    const entries = new Map<string, SourcedNode>();
    for (const [key, value] of Object.entries(record)) {
      if (key === INCLUDE_KEY || FORBIDDEN_KEYS.has(key)) continue;
      const node = this.build(value, child(origin, key), chain);
      if (node) entries.set(key, node);
    }
    return { kind: 'object', origin, entries };
  }

  private buildInclude(
    record: Record<string, unknown>,
    origin: NodeOrigin,
    chain: readonly string[],
  ): SourcedNode | undefined {
    const directive = record[INCLUDE_KEY];
    const at = child(origin, INCLUDE_KEY);
    const paths = includePaths(directive);
    if (!paths) {
      this.report(
        at,
        `Invalid $include value: expected string or array of strings, got ${describe(directive)}`,
      );
      return undefined;
    }

    let included: SourcedNode | undefined;
    let failed = false;
    paths.forEach((includePath, index) => {
      const where = Array.isArray(directive) ? child(at, index) : at;
      const node = this.include(includePath, where, chain);
      if (!node) {
        failed = true;
        return;
      }
      included = included ? mergeNodes(included, node) : node;
    });

    const siblingKeys = Object.keys(record).filter((key) => key !== INCLUDE_KEY);
    if (siblingKeys.length === 0) {
      return included ?? (failed ? undefined : { kind: 'object', origin, entries: new Map() });
    }
    const siblings = this.buildObject(record, origin, chain);
    if (!included) return siblings;
    if (included.kind !== 'object') {
      this.report(at, 'Sibling keys require included content to be an object');
      return siblings;
    }
    // Keys written beside $include win over what was included.
    return mergeNodes(included, siblings);
  }

  private include(
    includePath: string,
    where: NodeOrigin,
    chain: readonly string[],
  ): SourcedNode | undefined {
    const including = chain[chain.length - 1] ?? this.rootDir;
    const target = isAbsolute(includePath) ? includePath : resolve(dirname(including), includePath);
    if (!this.insideRoot(target)) {
      this.report(
        where,
        `Include path escapes config directory: ${includePath} (root: ${this.rootDir})`,
      );
      return undefined;
    }
    // The root file is depth 0; each include adds one level.
    if (chain.length > MAX_INCLUDE_DEPTH) {
      this.report(
        where,
        `Maximum include depth (${MAX_INCLUDE_DEPTH}) exceeded at: ${this.display(target)}`,
      );
      return undefined;
    }
    const cycleStart = chain.indexOf(realOrSelf(target));
    if (cycleStart >= 0) {
      const loop = [...chain.slice(cycleStart), realOrSelf(target)].map(this.display);
      this.report(where, `Circular include detected: ${loop.join(' -> ')}`);
      return undefined;
    }
    return this.resolveFile(target, chain, where);
  }

  private insideRoot(absolutePath: string): boolean {
    const rel = relative(this.rootDir, absolutePath);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  }

  private report(origin: NodeOrigin, message: string): void {
    this.issues.push({ file: this.display(origin.file), path: formatPath(origin.path), message });
  }
}

function child(origin: NodeOrigin, segment: PathSegment): NodeOrigin {
  return { file: origin.file, path: [...origin.path, segment] };
}

function includePaths(directive: unknown): string[] | undefined {
  if (typeof directive === 'string') return [directive];
  if (
    Array.isArray(directive) &&
    directive.every((item): item is string => typeof item === 'string')
  ) {
    return directive;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const bad: unknown = (value as unknown[]).find((item) => typeof item !== 'string');
    return `array containing ${describe(bad)}`;
  }
  return typeof value;
}

/** The real path when the file exists, so a cycle through a symlink is still a cycle. */
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
