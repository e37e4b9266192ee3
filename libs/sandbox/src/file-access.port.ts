/**
 * Security layer 3 for files (DESIGN.md "Security, in code"): the port every
 * class that opens a file on an agent's behalf is given. The check is done
 * right before each open, and the caller opens the path it returns — the
 * resolved one, not the one it asked for — so what was checked is what is used.
 */

export type FileOperation = 'read' | 'write';

export interface FileAccessPolicy {
  /** The resolved absolute path to read, or throws SandboxViolationError. */
  checkRead(path: string): string;
  /**
   * The resolved absolute path to write (create, append, replace), or throws
   * SandboxViolationError. The file and its folders need not exist yet.
   */
  checkWrite(path: string): string;
}

/** Nest token of the agent's own FileAccessPolicy (see fileSandboxFor). */
export const FILE_SANDBOX = Symbol('FILE_SANDBOX');
