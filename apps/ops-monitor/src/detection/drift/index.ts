export * from './drift.detector';
export { type DriftState } from './drift-state';
