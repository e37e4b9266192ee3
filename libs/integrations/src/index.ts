export * from './delivery.error';
export * from './metrics/metrics-source.port';
export * from './notifier/notifier.port';
export * from './tracker/tracker.port';
