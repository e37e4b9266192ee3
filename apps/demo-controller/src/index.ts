// demo-controller's public entry point: what the CLI may use (`opscrew start`, and the shop's
// load mix for the demo's background traffic). The rest of apps/demo-controller is internal
// (eslint.config.mjs, zones from scripts/lint/layers.js).
export { startDemoController } from './main';
export { SHOP_LOAD_MIX } from './load/shop-task.mix';
