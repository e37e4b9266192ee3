import { type FileOperation } from './file-access.port';

export interface SandboxViolationDetails {
  readonly agent: string;
  readonly operation: FileOperation;
  /** The path as it was asked for (may be hostile: quoted with JSON escapes in the message). */
  readonly requested: string;
  /** Where it really leads (symlinks resolved), or null when it was refused before resolving. */
  readonly resolved: string | null;
  /** The agent's `sandbox.filesystem.<operation>` entries, as configured. */
  readonly allowed: readonly string[];
  /** Why, in a few words: "outside the write list", "a `..` segment", … */
  readonly reason: string;
}

/**
 * A file operation the agent's filesystem sandbox refused. The message names
 * everything needed to fix either the code or the config: agent, operation,
 * requested path, resolved path and the allowed prefixes (`sandbox.filesystem`).
 */
export class SandboxViolationError extends Error implements SandboxViolationDetails {
  readonly agent: string;
  readonly operation: FileOperation;
  readonly requested: string;
  readonly resolved: string | null;
  readonly allowed: readonly string[];
  readonly reason: string;

  constructor(details: SandboxViolationDetails) {
    const list = details.allowed.length > 0 ? details.allowed.join(', ') : 'nothing';
    // JSON.stringify: a NUL byte or a newline in the path shows as \u0000 / \n, never raw.
    const resolved = details.resolved === null ? '' : ` (resolved: ${details.resolved})`;
    super(
      `file sandbox: ${details.agent} may not ${details.operation} ${JSON.stringify(details.requested)}${resolved}: ` +
        `${details.reason}; agents.${details.agent}.sandbox.filesystem.${details.operation} allows ${list}`,
    );
    this.name = 'SandboxViolationError';
    this.agent = details.agent;
    this.operation = details.operation;
    this.requested = details.requested;
    this.resolved = details.resolved;
    this.allowed = details.allowed;
    this.reason = details.reason;
  }
}
