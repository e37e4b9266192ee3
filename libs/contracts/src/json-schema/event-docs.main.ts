import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_DOCS_DIR, renderEventDocs } from './event-docs.builder';

/**
 * `npm run docs:events`: writes docs/events from the contract classes. Run from the
 * repository root (npm does): it reads nothing but the repo's own package.json there.
 */
function main(): void {
  const root = process.cwd();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name?: unknown;
  };
  if (manifest.name !== 'opscrew') {
    throw new Error(
      `${root} is not the opscrew repository root: run \`npm run docs:events\` there`,
    );
  }
  const dir = join(root, EVENT_DOCS_DIR);
  const files = renderEventDocs();
  mkdirSync(dir, { recursive: true });
  // A subject that was removed must not leave its old files behind.
  for (const name of readdirSync(dir)) {
    if (!files.has(name)) rmSync(join(dir, name));
  }
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  console.log(`${EVENT_DOCS_DIR}: ${files.size} files written`);
}

main();
