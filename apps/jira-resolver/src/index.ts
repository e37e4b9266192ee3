// jira-resolver's public entry point: what the CLI may use (`opscrew start`). The rest of
// apps/jira-resolver is internal (eslint.config.mjs, zones from scripts/lint/layers.js).
export { startJiraResolver } from './main';
