import { type PathSegment } from './config-path';

/**
 * The configuration as a tree that remembers where every value came from.
 *
 * `$include` merges values from many files; an error about a value must name
 * the file that value was written in and its path inside that file, so each
 * node carries its origin. Plain JSON is derived from this tree only at the end.
 */
export interface NodeOrigin {
  /** Absolute path of the file the value was written in. */
  readonly file: string;
  /** Path of the value inside that file. */
  readonly path: readonly PathSegment[];
}

export type Scalar = string | number | boolean | null;

export type SourcedNode =
  | {
      readonly kind: 'object';
      readonly origin: NodeOrigin;
      readonly entries: Map<string, SourcedNode>;
    }
  | { readonly kind: 'array'; readonly origin: NodeOrigin; readonly items: SourcedNode[] }
  | {
      readonly kind: 'scalar';
      readonly origin: NodeOrigin;
      readonly value: Scalar;
      /** True when the value was produced by `${VAR}` substitution (redacted by `config print`). */
      readonly fromEnv?: boolean;
    };

/** Keys that would reach Object.prototype when merged; OpenClaw skips them too. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'prototype',
  'constructor',
]);

/** Plain JSON value of a node (what validation and `config print` see). */
export function toPlain(node: SourcedNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'array':
      return node.items.map(toPlain);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of node.entries) out[key] = toPlain(child);
      return out;
    }
  }
}

/** The deepest node along `segments`, and how many segments it consumed. */
export function findNode(
  root: SourcedNode,
  segments: readonly PathSegment[],
): { node: SourcedNode; depth: number } {
  let node = root;
  let depth = 0;
  for (const segment of segments) {
    let next: SourcedNode | undefined;
    if (node.kind === 'object') next = node.entries.get(String(segment));
    else if (node.kind === 'array') next = node.items[Number(segment)];
    if (!next) break;
    node = next;
    depth += 1;
  }
  return { node, depth };
}

/**
 * Deep merge with OpenClaw's rules: objects merge recursively, arrays
 * concatenate, and for anything else the later value wins.
 */
export function mergeNodes(base: SourcedNode, over: SourcedNode): SourcedNode {
  if (base.kind === 'object' && over.kind === 'object') {
    const entries = new Map(base.entries);
    for (const [key, value] of over.entries) {
      const existing = entries.get(key);
      entries.set(key, existing ? mergeNodes(existing, value) : value);
    }
    return { kind: 'object', origin: over.origin, entries };
  }
  if (base.kind === 'array' && over.kind === 'array') {
    return { kind: 'array', origin: over.origin, items: [...base.items, ...over.items] };
  }
  return over;
}
