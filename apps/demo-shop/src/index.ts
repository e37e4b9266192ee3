// The demo shop's public entry point: what the CLI (and test/) may use. Everything else in
// apps/demo-shop is internal (eslint.config.mjs, zones from scripts/lint/layers.js). The
// shop imports nothing of the crew: it is the system the crew watches, not part of it.
export {
  defaultServiceEntry,
  listenAddress,
  type RunningShop,
  type ShopControlOptions,
  type ShopOptions,
  ShopStartError,
  startShop,
} from './shop.launcher';
export { SHOP_SERVICE_NAMES, type ShopServiceName } from './shop-service.profiles';
export {
  LocalProcessSupervisor,
  type LocalProcessSupervisorOptions,
  type SupervisorControlOptions,
} from './supervisor/local-process.supervisor';
export { type SupervisedProcessSpec } from './supervisor/supervised-process';
