/**
 * `--wait` default: 0, report and return. The report waits in the stream until ops-monitor
 * folds it, so an inject must not fail (or hang) because the crew is down.
 */
export const DEFAULT_WAIT_S = 0;
