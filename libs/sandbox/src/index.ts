export * from './runtime-policy';
export * from './runtime-policy.factory';
