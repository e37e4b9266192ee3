// Flat config: type-aware rules for floating promises and `any`, import cycles detected
// through the @opscrew/* path aliases (resolved by the TypeScript resolver), and the layers
// of libs/ (scripts/lint/layers.js): a lib imports only lower layers and never an app; an app
// imports another only through its src/index.ts, and the demo shop nothing of the crew.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';
import layers from './scripts/lint/layers.js';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'var/**',
      'coverage/**',
      'bin/**',
      '**/*.mjs',
      '**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'import-x/no-cycle': ['error', { maxDepth: Infinity }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only libs/config reads process.env.' },
      ],
    },
  },
  {
    files: [
      'libs/config/**/*.ts',
      // The test kit reads OPSCREW_TEST_TIME_FACTOR (scaledTimeout): test-only, not a setting.
      'libs/testing/**/*.ts',
      'test/**/*.ts',
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      'bench/**/*.ts',
      'faults/**/*.ts',
      'scripts/**/*.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    // Jest's asymmetric matchers (expect.stringMatching…) are typed `any` by Jest itself.
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // no-restricted-paths resolves every import, type-only ones included (no-cycle skips
    // those), and relative paths too: `../../apps/…` or `../../guardrails/src/…` are caught.
    files: ['libs/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', layers.layerZones(import.meta.dirname)] },
  },
  {
    // Test doubles in libs' testing/ folders keep the layers, and may use the test kit.
    files: layers.TEST_SUPPORT_FILES.filter((glob) => glob.startsWith('libs/')),
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        layers.layerZones(import.meta.dirname, { testSupport: true }),
      ],
    },
  },
  {
    // Production code of apps never imports the test kit (libs get that from their layers).
    files: ['apps/**/*.ts'],
    ignores: [
      ...layers.TEST_SUPPORT_FILES,
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
    ],
    rules: { 'import-x/no-restricted-paths': ['error', layers.appZones(import.meta.dirname)] },
  },
  {
    // Pure domain libs (libs/incident): no I/O module, no clock, no randomness (layers.js PURE_LIBS).
    ...layers.pureFiles(),
    rules: layers.pureRules(),
  },
  {
    // Tests of apps: any lib, but the shop boundary holds (its tests import no app; the crew's
    // import the shop only through apps/demo-shop/src/index.ts).
    files: layers.APP_TEST_FILES,
    rules: { 'import-x/no-restricted-paths': ['error', layers.appTestZones(import.meta.dirname)] },
  },
  {
    files: layers.SPEC_FILES,
    rules: { 'import-x/no-restricted-paths': ['error', layers.specZones(import.meta.dirname)] },
  },
  prettier,
);
