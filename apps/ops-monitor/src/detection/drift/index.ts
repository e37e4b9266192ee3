export * from './drift.detector';
export { type DriftState } from './drift-state';
export * from './drift-state.store';
export * from './drift.registry';
export * from './drift-persistence.service';
