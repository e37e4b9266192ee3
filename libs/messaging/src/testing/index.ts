export * from './fake-clock';
export * from './fake-kv';
export * from './integration-bus';
export * from './tcp-proxy';
export * from './test-namespace';
