import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findOutsideReferences, referencesOutside } from './support/outside-reference.finder';

const ROOT = join(__dirname, '..');

/**
 * Code, scripts and build, test and run configuration: a user's clone has nothing beside it,
 * so nothing here may read from there (vendor material lives in test/third-party and
 * bench/data). README.md is documentation, and SOURCE.md files may say where a copy came from.
 */
const SCANNED = [
  'apps',
  'libs',
  'bench',
  'test',
  'scripts',
  '.ci',
  'bin',
  'config',
  'deploy',
  'package.json',
  'jest.config.js',
  'eslint.config.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'Dockerfile',
  'docker-compose.yml',
];

describe('a fresh clone is self-contained', () => {
  it('recognises the forms a path beside the repository takes, and not the word "shared"', () => {
    // Built from pieces: this file is scanned too.
    const up = '..';
    const name = 'shared';
    for (const line of [
      `resolve(__dirname, '${up}/${up}/${up}/${name}/specs/jira')`,
      `const GARAK = "${up}/${name}/security/garak";`,
      `copy from ${up}\\${name}\\data`,
      `readFileSync('/work/${name}/tools/nab-score')`,
      `join(REPO_ROOT, '${up}', '${name}', 'data', 'nab')`,
      `join(REPO_ROOT, "${up}", "${name}")`,
    ]) {
      expect({ line, found: referencesOutside(line) }).toEqual({ line, found: true });
    }
    for (const line of [
      '// the shared state of the crew',
      "fixture.write('shared.json5', '{ v: 1 }')",
      "import { type Transport } from '@modelcontextprotocol/sdk/shared/transport.js';",
      "['cart', { aliases: ['shared'] }]",
      `join(root, '${up}', 'sharedless')`,
    ]) {
      expect({ line, found: referencesOutside(line) }).toEqual({ line, found: false });
    }
  });

  it('no source, script or config reads files from beside the repository', () => {
    const missing = SCANNED.filter((path) => !existsSync(join(ROOT, path)));
    expect(missing).toEqual([]);
    expect(findOutsideReferences(ROOT, SCANNED)).toEqual([]);
  });
});
