export * from './runtime-policy';
export * from './runtime-policy.factory';
export * from './file-access.port';
export * from './sandbox-violation.error';
export * from './file-sandbox';
export * from './file-sandbox.factory';
export * from './writable-path';
export * from './atomic-write';
