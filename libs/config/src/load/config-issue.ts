/**
 * One problem found while loading or validating the configuration.
 *
 * Every problem renders as exactly one line, so that `opscrew config check`
 * output can be grepped and pasted into an editor's "go to" box:
 *   `FILE: dotted.path: message`    (validation, variables, includes)
 *   `FILE:LINE:COL: message`        (syntax errors)
 * FILE is relative to the config root and names the file the value came from,
 * not the root file that included it.
 */
export interface ConfigIssue {
  /** File relative to the config root (or an absolute path when outside it). */
  readonly file: string;
  /** Dotted path inside that file (`services.frontend.latency_p99_ms`), empty for the whole file. */
  readonly path: string;
  readonly message: string;
  /** Set for syntax errors: 1-based position in the file. */
  readonly line?: number;
  readonly column?: number;
}

export function formatIssue(issue: ConfigIssue): string {
  if (issue.line !== undefined) {
    return `${issue.file}:${issue.line}:${issue.column ?? 1}: ${issue.message}`;
  }
  return issue.path
    ? `${issue.file}: ${issue.path}: ${issue.message}`
    : `${issue.file}: ${issue.message}`;
}

/** Thrown when the configuration cannot be used; carries every issue found. */
export class ConfigError extends Error {
  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly configRoot: string,
  ) {
    super(
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map(formatIssue).join('\n'),
    );
    this.name = 'ConfigError';
  }

  lines(): string[] {
    return this.issues.map(formatIssue);
  }
}
