/**
 * The JSON the process supervisor's control API speaks (LocalProcessSupervisor
 * in apps/demo-shop serves it, ProcessRuntimeDriver reads it).
 *
 * The client's copy: libs never import apps, and the shop imports nothing of the
 * crew, so apps/demo-shop/src/supervisor/supervisor-control.contract.ts is the
 * server's; test/supervisor-contract.spec.ts fails when the two drift apart. Loopback HTTP; every route needs
 * `Authorization: Bearer <token>`.
 *
 *   GET  /processes                      → { processes: ProcessSummary[] }
 *   GET  /processes/:name                → ProcessInspection
 *   GET  /processes/:name/logs?tail=N    → ProcessLogs
 *   POST /processes/:name/restart        → ProcessRestartResult
 *   errors                               → { error: string } with 400/401/404/405/500
 */

/** `running`; `restarting` while a restart is under way; `exited` (by itself); `stopped` (by the supervisor); `failed` (could not spawn). */
export type ProcessStatus = 'running' | 'restarting' | 'exited' | 'stopped' | 'failed';

export interface ProcessSummary {
  readonly name: string;
  readonly pid: number | null;
  readonly running: boolean;
  readonly status: ProcessStatus;
  /** When the current instance was spawned (ISO). */
  readonly started_at: string | null;
  /** Restarts through the supervisor since it started. */
  readonly restart_count: number;
}

export interface ProcessInspection extends ProcessSummary {
  /** The last exit code as the OS gave it (137 stays 137); null while running or after a signal. */
  readonly exit_code: number | null;
  /** The signal that ended the last instance (`SIGKILL`), or null. */
  readonly signal: string | null;
  /** Resident set size of the running instance, from /proc (null elsewhere or when not running). */
  readonly rss_bytes: number | null;
  /** The process's soft memory limit, when its spec sets one (absent otherwise). */
  readonly memory_limit_bytes?: number;
  readonly health: 'healthy' | 'unhealthy' | 'starting' | 'none';
}

export interface ProcessLogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** When the supervisor read the line (ISO). */
  readonly at: string;
}

export interface ProcessLogs {
  readonly name: string;
  readonly lines: readonly ProcessLogLine[];
}

export interface ProcessRestartResult {
  readonly name: string;
  readonly pid: number | null;
  readonly started_at: string | null;
  readonly restart_count: number;
}

export interface ControlError {
  readonly error: string;
}
