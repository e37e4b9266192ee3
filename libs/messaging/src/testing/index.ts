export * from './fake-kv';
export * from './integration-bus';
export * from './tcp-proxy';
export * from './test-namespace';
export * from './crew-consumers';
export * from './authenticated-nats-server';
export * from './bus-app';
