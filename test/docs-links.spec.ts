import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { anchorsOf, findDeadLinks, githubSlug } from './support/markdown-links.checker';

const ROOT = join(__dirname, '..');

/** README.md and every markdown page under docs/ (the generated event docs included). */
function documentation(): string[] {
  const pages = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? pages(`${dir}/${entry.name}`)
        : entry.name.endsWith('.md')
          ? [`${dir}/${entry.name}`]
          : [],
    );
  return ['README.md', ...pages('docs')];
}

describe('GitHub heading anchors', () => {
  it('slugs headings the way GitHub does', () => {
    expect(githubSlug('`npm run demo`: the whole loop in four minutes')).toBe(
      'npm-run-demo-the-whole-loop-in-four-minutes',
    );
    expect(githubSlug("`$include` (OpenClaw's rules)")).toBe('include-openclaws-rules');
    expect(githubSlug('Reports from outside the crew (`incident.reported`)')).toBe(
      'reports-from-outside-the-crew-incidentreported',
    );
    expect(githubSlug('ops-monitor: detect, deduplicate, ticket, alert')).toBe(
      'ops-monitor-detect-deduplicate-ticket-alert',
    );
    expect(githubSlug('1. Build')).toBe('1-build');
    expect(githubSlug('snake_case and a [link](x.md) — dash')).toBe('snake_case-and-a-link--dash');
  });

  it('numbers repeated headings and ignores "#" lines inside code fences', () => {
    const anchors = anchorsOf('# Setup\n\n```bash\n# not a heading\n```\n\n## Setup\n');
    expect([...anchors]).toEqual(['setup', 'setup-1']);
  });
});

describe('the dead-link finder', () => {
  let root: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'opscrew-docs-links-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports a missing file, a missing anchor and a path out of the repository, by line', () => {
    write('docs/a.md', '# A\n\n## Real part\n');
    write(
      'README.md',
      [
        '# Top',
        '[ok](docs/a.md#real-part) [self](#top) [folder](docs/) [web](https://example.com/x#y)',
        '[gone](docs/b.md)',
        '[stale](docs/a.md#old-part)',
        '[up](../elsewhere.md)',
        '`[in code](docs/nowhere.md)`',
        '```',
        '[fenced](docs/nowhere.md)',
        '```',
      ].join('\n'),
    );
    expect(findDeadLinks(root, ['README.md', 'docs/a.md'])).toEqual([
      {
        file: 'README.md',
        line: 3,
        target: 'docs/b.md',
        reason: 'no such file or folder: docs/b.md',
      },
      {
        file: 'README.md',
        line: 4,
        target: 'docs/a.md#old-part',
        reason: 'no heading with anchor #old-part in docs/a.md',
      },
      {
        file: 'README.md',
        line: 5,
        target: '../elsewhere.md',
        reason: 'points outside the repository',
      },
    ]);
  });
});

describe('the documentation', () => {
  it('has no dead relative link or anchor in README.md and docs/', () => {
    expect(findDeadLinks(ROOT, documentation())).toEqual([]);
  });

  it("README's Documentation index links every page under docs/", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const pages = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    const unlinked = pages.filter((page) => !readme.includes(`](docs/${page})`));
    expect(unlinked).toEqual([]);
  });

  it("keeps the README's two commands, exactly, in the Quickstart", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const quickstart = readme.slice(
      readme.indexOf('## Quickstart'),
      readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 1),
    );
    expect(quickstart).toMatch(/^npm run demo +#/m);
    expect(quickstart).toMatch(/^npm test +#/m);
  });
});
