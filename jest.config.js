// Three levels (DESIGN.md "Testing levels"), each its own Jest project so that
// `npm run test:unit` runs without any service and the others run in band.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const moduleNameMapper = {
  '^@opscrew/([^/]+)/testing$': '<rootDir>/libs/$1/src/testing',
  '^@opscrew/messaging/bus-admin$': '<rootDir>/libs/messaging/src/bus-admin',
  '^@opscrew/([^/]+)$': '<rootDir>/libs/$1/src',
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
};
module.exports = {
  // Jest reads testTimeout from the top level only: generous for integration and e2e
  // (real NATS, real processes); unit tests finish in milliseconds either way.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,bench,faults}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.integration-spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
