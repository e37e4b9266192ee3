import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './load/config-issue';
import { type PathSegment, formatPath } from './load/config-path';
import { buildEnvironment } from './load/environment';
import { substituteEnv } from './load/env-substitutor';
import { IncludeResolver } from './load/include.resolver';
import { type SourcedNode, findNode, toPlain } from './load/sourced-node';
import { configuredSecretValues } from './configured-secrets';
import { redact } from './redact';
import { type OpscrewConfig } from './schema/opscrew-config.schema';
import { type PathIssue } from './validate/path-issue';
import { validateSchema } from './validate/schema.validator';
import { validateSemantics } from './validate/semantic.validator';

export const ROOT_FILE = 'opscrew.json5';

export interface LoadOptions {
  /**
   * The config root: the folder holding opscrew.json5 — or a `.json5` root file, whose folder is
   * then the config root. One folder can so hold several entry points over shared files (the
   * compose stack gives each agent its own, with only its own secrets).
   */
  readonly configDir: string;
  /** Variables, highest precedence (the process environment in production). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `.env` to read below `env`; defaults to `<project root>/.env`. */
  readonly dotenvPath?: string;
}

export interface LoadedConfig {
  readonly config: OpscrewConfig;
  /** Real path of the config root. */
  readonly configRoot: string;
  /** What to load again to get this same config: the config folder, or the root file given. */
  readonly source: string;
  /** The config root's parent: relative file paths in the config resolve against it. */
  readonly projectRoot: string;
  /** Resolved configuration with secrets replaced by "***" (what `config print` shows). */
  readonly redacted: unknown;
  /**
   * The secret values in play (secret-named keys, secret-named variables): what the agent
   * registers with the secret scrubber at start (registerConfiguredSecrets), so no exit shows them.
   */
  readonly secrets: readonly string[];
  readonly warnings: readonly ConfigIssue[];
  /** Every file read, relative to the config root. */
  readonly files: readonly string[];
  readonly dotenvLoaded: boolean;
  /** Variables the config references, for docs and `.env.example` checks. */
  readonly variables: readonly string[];
  /** Turn a config-relative path (`var/notifications.jsonl`) into an absolute one. */
  readonly resolvePath: (path: string) => string;
}

/**
 * Load order as OpenClaw: read → JSON5 parse → `$include` → the config's `env`
 * block for unset keys → `${VAR}` → strict validation → defaults. Throws a
 * ConfigError listing every problem, each traced to the file it is in.
 */
export function loadConfig(options: LoadOptions): LoadedConfig {
  const requested = resolve(options.configDir);
  const kind = existsSync(requested) ? statSync(requested) : undefined;
  if (!kind?.isDirectory() && !(kind?.isFile() && extname(requested) === '.json5')) {
    throw new ConfigError(
      [
        {
          file: requested,
          path: '',
          message: kind?.isFile()
            ? 'a config file must be a .json5 root file (or give its folder, holding opscrew.json5)'
            : 'config directory not found',
        },
      ],
      requested,
    );
  }
  const rootFile = kind.isFile() ? basename(requested) : ROOT_FILE;
  const configRoot = realpathSync(kind.isFile() ? dirname(requested) : requested);
  const projectRoot = dirname(configRoot);
  const display = (file: string): string => {
    const rel = relative(configRoot, file);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  };

  const resolver = new IncludeResolver(configRoot, display);
  const included = resolver.resolveRoot(join(configRoot, rootFile));
  if (!included || resolver.problems.length > 0) {
    throw new ConfigError(resolver.problems, configRoot);
  }

  const environment = buildEnvironment({
    processEnv: options.env,
    dotenvPath: options.dotenvPath ?? join(projectRoot, '.env'),
    configEnv: envBlock(included),
  });
  const substituted = substituteEnv(included, environment.values, display);
  if (substituted.issues.length > 0) throw new ConfigError(substituted.issues, configRoot);
  const tree = substituted.node;

  const locate = (issue: PathIssue): ConfigIssue => locateIssue(tree, issue, display);
  const schema = validateSchema(toPlain(tree));
  if (schema.issues.length > 0) throw new ConfigError(schema.issues.map(locate), configRoot);
  const semantic = validateSemantics(schema.config);
  if (semantic.length > 0) throw new ConfigError(semantic.map(locate), configRoot);

  return {
    config: schema.config,
    configRoot,
    source: kind.isFile() ? join(configRoot, rootFile) : configRoot,
    projectRoot,
    redacted: redact(tree),
    secrets: configuredSecretValues(tree, environment.values),
    warnings: substituted.warnings,
    files: resolver.files.map(display),
    dotenvLoaded: environment.dotenvLoaded,
    variables: [...substituted.referenced].sort(),
    resolvePath: (path: string) => (isAbsolute(path) ? path : resolve(projectRoot, path)),
  };
}

/** The `env` block is read before substitution (it feeds it), so it must be plain strings. */
function envBlock(root: SourcedNode): Record<string, string> {
  if (root.kind !== 'object') return {};
  const block = root.entries.get('env');
  const out: Record<string, string> = {};
  if (block?.kind !== 'object') return out;
  for (const [key, value] of block.entries) {
    if (value.kind === 'scalar' && typeof value.value === 'string') out[key] = value.value;
  }
  return out;
}

/**
 * Trace a problem at a merged path back to the file the value was written in
 * and its path inside that file. A missing key is reported on its parent object.
 */
function locateIssue(
  tree: SourcedNode,
  issue: PathIssue,
  display: (file: string) => string,
): ConfigIssue {
  const { node, depth } = findNode(tree, issue.segments);
  const rest: PathSegment[] = issue.segments.slice(depth).map((segment) => segment);
  const local = formatPath([...node.origin.path, ...rest]);
  return { file: display(node.origin.file), path: local, message: issue.message };
}
