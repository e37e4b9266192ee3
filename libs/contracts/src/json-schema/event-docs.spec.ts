import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_DOCS_DIR, renderEventDocs } from './event-docs.builder';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const DIR = join(REPO_ROOT, EVENT_DOCS_DIR);
const FIX = 'run `npm run docs:events` and commit docs/events';

describe('docs/events', () => {
  const generated = renderEventDocs();

  it('matches the contract classes (regenerated in memory)', () => {
    const stale: string[] = [];
    for (const [name, content] of generated) {
      const path = join(DIR, name);
      if (!existsSync(path)) stale.push(`${EVENT_DOCS_DIR}/${name} is missing: ${FIX}`);
      else if (readFileSync(path, 'utf8') !== content) {
        stale.push(`${EVENT_DOCS_DIR}/${name} differs from the classes: ${FIX}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('holds nothing the generator does not write', () => {
    const extra = readdirSync(DIR)
      .filter((name) => !generated.has(name))
      .map((name) => `${EVENT_DOCS_DIR}/${name} is not generated any more: ${FIX}`);
    expect(extra).toEqual([]);
  });
});
