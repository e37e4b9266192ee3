import { type ConfigIssue } from './config-issue';
import { type PathSegment, formatPath } from './config-path';
import { type SourcedNode } from './sourced-node';

/** OpenClaw's variable names: upper case, digits and underscores, not starting with a digit. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

// `$${VAR}` is an escape for a literal `${VAR}`; it must be matched before `${VAR}`.
const REFERENCE = /\$\$\{([A-Z_][A-Z0-9_]*)\}|\$\{([A-Z_][A-Z0-9_]*)\}/g;
// `${VAR:-default}` is shell syntax that OpenClaw does not support: it stays literal text,
// which users do not expect, so it earns a warning.
const SHELL_DEFAULT = /\$\{[A-Za-z_][A-Za-z0-9_]*:-[^}]*\}/;

export interface SubstitutionResult {
  readonly node: SourcedNode;
  readonly issues: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  /** Every variable that was referenced (for `config check` summaries and docs). */
  readonly referenced: ReadonlySet<string>;
}

/**
 * Replace `${VAR}` in string values (never in keys). A missing or empty variable
 * is an error naming the variable and the config path: an ops system that holds
 * credentials should fail fast rather than run with an empty token.
 */
export function substituteEnv(
  root: SourcedNode,
  env: Readonly<Record<string, string | undefined>>,
  display: (absolutePath: string) => string,
): SubstitutionResult {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const referenced = new Set<string>();

  const visit = (node: SourcedNode, path: PathSegment[]): SourcedNode => {
    if (node.kind === 'object') {
      const entries = new Map<string, SourcedNode>();
      for (const [key, value] of node.entries) entries.set(key, visit(value, [...path, key]));
      return { ...node, entries };
    }
    if (node.kind === 'array') {
      return { ...node, items: node.items.map((item, index) => visit(item, [...path, index])) };
    }
    if (typeof node.value !== 'string' || !node.value.includes('$')) return node;

    const text = node.value;
    const where = { file: display(node.origin.file), path: formatPath(node.origin.path) };
    if (SHELL_DEFAULT.test(text)) {
      warnings.push({
        ...where,
        message: `"${text}" uses \${VAR:-default}, which is not supported and stays literal text; set the variable in .env or the config's env block instead`,
      });
    }
    let substituted = false;
    const value = text.replace(
      REFERENCE,
      (match, escaped: string | undefined, name: string | undefined) => {
        if (escaped !== undefined) return match.slice(1);
        const variable = name as string;
        referenced.add(variable);
        const resolved = env[variable];
        if (resolved === undefined || resolved === '') {
          issues.push({
            ...where,
            message: `Missing env var "${variable}" referenced at config path: ${formatPath(path)}`,
          });
          return match;
        }
        substituted = true;
        return resolved;
      },
    );
    // Only escapes (or nothing) were present: the value is literal text, not a secret.
    if (!substituted) return value === text ? node : { ...node, value };
    return { ...node, value, fromEnv: true };
  };

  return { node: visit(root, []), issues, warnings, referenced };
}
