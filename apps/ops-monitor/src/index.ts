// ops-monitor's public entry point: what the CLI may use (`opscrew start`). The rest of
// apps/ops-monitor is internal (eslint.config.mjs, zones from scripts/lint/layers.js).
export { startOpsMonitor } from './main';
