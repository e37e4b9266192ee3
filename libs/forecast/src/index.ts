// Capacity forecasting (issue 11): a bounded, downsampled metric history and Holt's linear trend
// on it, with a prediction interval and the time to a threshold. Pure: no I/O, no clock, no
// randomness (scripts/lint/layers.js PURE_LIBS); ops-monitor records the history, atlas and
// demo-controller read it through agent-core's CapacityForecaster.
export * from './probit';
export * from './holt.model';
export * from './trend-significance';
export * from './history-buckets';
export * from './capacity-forecast';
