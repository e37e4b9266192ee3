export * from './config-fixture';
