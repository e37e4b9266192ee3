import { type RunbookActionName, type RunbookStepConfig } from '@opscrew/config';
import { CheckDependenciesAction } from './check-dependencies.action';
import { CheckLatencyTrendAction } from './check-latency-trend.action';
import { CheckLogsAction } from './check-logs.action';
import { CheckResourcesAction } from './check-resources.action';
import { IncreaseMemoryLimitAction } from './increase-memory-limit.action';
import { LogScanAction } from './log-scan.action';
import { RestartServiceAction } from './restart-service.action';
import { type RunbookAction } from './runbook-action';
import { VerifyMetricsAction } from './verify-metrics.action';
import { WatchAction } from './watch.action';

const checkResources = new CheckResourcesAction();
const logScan = new LogScanAction();
const watch = new WatchAction();

/** Every action config can name has its behaviour here; the compiler checks none is missing. */
export const ACTIONS: Record<RunbookActionName, RunbookAction<RunbookStepConfig>> = {
  check_logs: new CheckLogsAction(),
  check_dependencies: new CheckDependenciesAction(),
  check_resources: checkResources,
  check_latency_trend: new CheckLatencyTrendAction(),
  collect_memory_profile: checkResources,
  check_connection_count: logScan,
  identify_leak_source: logScan,
  restart_service: new RestartServiceAction(),
  verify_metrics: new VerifyMetricsAction(),
  verify_stability: watch,
  monitor_connection_growth: watch,
  monitor_memory_growth: watch,
  monitor_latency: watch,
  monitor_error_rate: watch,
  increase_memory_limit: new IncreaseMemoryLimitAction(),
};
