export * from './manual-clock';
export * from './recording-audit';
export * from './recording-outbox';
export * from './scaled-timeout';
export * from './free-port';
export * from './eventually';
export * from './recording-publisher';
export * from './seeded-random';
