import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFixture } from '../testing/config-fixture';
import { formatIssue } from './config-issue';
import { IncludeResolver } from './include.resolver';
import { MAX_CONFIG_FILE_BYTES } from './json5-file.reader';
import { toPlain } from './sourced-node';

describe('IncludeResolver ($include, OpenClaw rules)', () => {
  let fixture: ConfigFixture;
  beforeEach(() => {
    fixture = ConfigFixture.empty();
  });
  afterEach(() => fixture.remove());

  const resolveRoot = (): { value: unknown; errors: string[] } => {
    const display = (file: string): string => file.slice(fixture.dir.length + 1) || file;
    const resolver = new IncludeResolver(fixture.dir, display);
    const node = resolver.resolveRoot(join(fixture.dir, 'opscrew.json5'));
    return { value: node ? toPlain(node) : undefined, errors: resolver.problems.map(formatIssue) };
  };

  it('replaces the object holding a single string include with the file content', () => {
    fixture.write('opscrew.json5', `{ a: { $include: './a.json5' } }`);
    fixture.write('a.json5', `{ x: 1, // comment\n y: 'two', }`);
    expect(resolveRoot()).toEqual({ value: { a: { x: 1, y: 'two' } }, errors: [] });
  });

  it('lets an include be any JSON value (a list here)', () => {
    fixture.write('opscrew.json5', `{ list: { $include: 'list.json5' } }`);
    fixture.write('list.json5', `[1, 2]`);
    expect(resolveRoot().value).toEqual({ list: [1, 2] });
  });

  it('deep-merges several includes in order: objects merge, arrays concatenate, later scalars win', () => {
    fixture.write('opscrew.json5', `{ m: { $include: ['one.json5', 'two.json5'] } }`);
    fixture.write('one.json5', `{ o: { a: 1, b: 1 }, list: ['x'], s: 'first' }`);
    fixture.write('two.json5', `{ o: { b: 2, c: 2 }, list: ['y'], s: 'second' }`);
    expect(resolveRoot().value).toEqual({
      m: { o: { a: 1, b: 2, c: 2 }, list: ['x', 'y'], s: 'second' },
    });
  });

  it('lets sibling keys override the included content', () => {
    fixture.write(
      'opscrew.json5',
      `{ agent: { $include: 'agent.json5', port: 9, extra: { b: 2 } } }`,
    );
    fixture.write('agent.json5', `{ port: 3001, name: 'x', extra: { a: 1 } }`);
    expect(resolveRoot().value).toEqual({ agent: { port: 9, name: 'x', extra: { a: 1, b: 2 } } });
  });

  it('refuses sibling keys when the included content is not an object', () => {
    fixture.write('opscrew.json5', `{ agent: { $include: 'list.json5', port: 9 } }`);
    fixture.write('list.json5', `[1]`);
    expect(resolveRoot().errors).toEqual([
      'opscrew.json5: agent.$include: Sibling keys require included content to be an object',
    ]);
  });

  it('resolves paths relative to the including file, not the root', () => {
    fixture.write('opscrew.json5', `{ a: { $include: './nested/a.json5' } }`);
    fixture.write('nested/a.json5', `{ b: { $include: './deeper/b.json5' } }`);
    fixture.write('nested/deeper/b.json5', `{ ok: true }`);
    expect(resolveRoot().value).toEqual({ a: { b: { ok: true } } });
  });

  it('allows $include at the root and inside arrays', () => {
    fixture.write(
      'opscrew.json5',
      `{ $include: 'base.json5', list: [{ $include: 'item.json5' }, 3] }`,
    );
    fixture.write('base.json5', `{ base: true, list: [1] }`);
    fixture.write('item.json5', `{ item: 2 }`);
    expect(resolveRoot().value).toEqual({ base: true, list: [1, { item: 2 }, 3] });
  });

  it('rejects an $include that is not a string or a list of strings', () => {
    fixture.write('opscrew.json5', `{ a: { $include: 42 }, b: { $include: ['x.json5', 7] } }`);
    expect(resolveRoot().errors).toEqual([
      'opscrew.json5: a.$include: Invalid $include value: expected string or array of strings, got number',
      'opscrew.json5: b.$include: Invalid $include value: expected string or array of strings, got array containing number',
    ]);
  });

  it('allows 10 levels of includes and refuses the 11th', () => {
    const chain = (levels: number): void => {
      fixture.write('opscrew.json5', `{ next: { $include: 'l1.json5' } }`);
      for (let level = 1; level <= levels; level += 1) {
        const body =
          level === levels ? `{ end: ${level} }` : `{ next: { $include: 'l${level + 1}.json5' } }`;
        fixture.write(`l${level}.json5`, body);
      }
    };
    chain(10);
    expect(resolveRoot().errors).toEqual([]);
    chain(11);
    expect(resolveRoot().errors).toEqual([
      'l10.json5: next.$include: Maximum include depth (10) exceeded at: l11.json5',
    ]);
  });

  it('names the whole chain of a circular include', () => {
    fixture.write('opscrew.json5', `{ a: { $include: 'a.json5' } }`);
    fixture.write('a.json5', `{ b: { $include: 'b.json5' } }`);
    fixture.write('b.json5', `{ a: { $include: 'a.json5' } }`);
    expect(resolveRoot().errors).toEqual([
      'b.json5: a.$include: Circular include detected: a.json5 -> b.json5 -> a.json5',
    ]);
  });

  it('accepts the same file included from two separate branches', () => {
    fixture.write(
      'opscrew.json5',
      `{ x: { $include: 'shared.json5' }, y: { $include: 'shared.json5' } }`,
    );
    fixture.write('shared.json5', `{ v: 1 }`);
    expect(resolveRoot()).toEqual({ value: { x: { v: 1 }, y: { v: 1 } }, errors: [] });
  });

  it('refuses an include that escapes the config root', () => {
    fixture.write('opscrew.json5', `{ a: { $include: '../outside.json5' } }`);
    writeFileSync(join(fixture.projectDir, 'outside.json5'), '{ secret: 1 }');
    const [error] = resolveRoot().errors;
    expect(error).toBe(
      `opscrew.json5: a.$include: Include path escapes config directory: ../outside.json5 (root: ${fixture.dir})`,
    );
  });

  it('re-checks symlinks: a link inside the root pointing outside is refused', () => {
    writeFileSync(join(fixture.projectDir, 'outside.json5'), '{ secret: 1 }');
    mkdirSync(join(fixture.dir, 'links'));
    symlinkSync(join(fixture.projectDir, 'outside.json5'), join(fixture.dir, 'links/inside.json5'));
    fixture.write('opscrew.json5', `{ a: { $include: 'links/inside.json5' } }`);
    expect(resolveRoot().errors[0]).toMatch(
      /^opscrew\.json5: a\.\$include: Include path escapes config directory: .*links\/inside\.json5/,
    );
  });

  it('reports a missing include at the directive, with the resolved path', () => {
    fixture.write('opscrew.json5', `{ agents: { atlas: { $include: './agents/atlas.json5' } } }`);
    expect(resolveRoot().errors).toEqual([
      `opscrew.json5: agents.atlas.$include: file not found: ${join(fixture.dir, 'agents/atlas.json5')}`,
    ]);
  });

  it('gives syntax errors as FILE:LINE:COL in the file that has them', () => {
    fixture.write('opscrew.json5', `{ a: { $include: 'broken.json5' } }`);
    fixture.write('broken.json5', `{\n  ok: 1,\n  bad: [1, 2,, 3],\n}`);
    expect(resolveRoot().errors).toEqual([
      "broken.json5:3:14: syntax error: invalid character ','",
    ]);
  });

  it('strips a byte-order mark', () => {
    fixture.write('opscrew.json5', `\uFEFF{ a: 1 }`);
    expect(resolveRoot()).toEqual({ value: { a: 1 }, errors: [] });
  });

  it('skips __proto__, prototype and constructor keys so nothing reaches Object.prototype', () => {
    fixture.write(
      'opscrew.json5',
      `{ a: { $include: 'evil.json5' }, "__proto__": { polluted: true } }`,
    );
    fixture.write('evil.json5', `{ "constructor": { "prototype": { polluted: true } }, ok: 1 }`);
    const { value } = resolveRoot();
    expect(value).toEqual({ a: { ok: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses files over 2 MiB and non-regular files', () => {
    fixture.write(
      'opscrew.json5',
      `{ big: { $include: 'big.json5' }, dir: { $include: 'folder' } }`,
    );
    fixture.write('big.json5', `{ s: "${'x'.repeat(MAX_CONFIG_FILE_BYTES)}" }`);
    mkdirSync(join(fixture.dir, 'folder'));
    const errors = resolveRoot().errors;
    expect(errors[0]).toMatch(
      /^opscrew\.json5: big\.\$include: file is \d+ bytes, larger than the 2097152-byte limit/,
    );
    expect(errors[1]).toMatch(/^opscrew\.json5: dir\.\$include: not a regular file: /);
  });

  it('reports every broken include in one run', () => {
    fixture.write(
      'opscrew.json5',
      `{ a: { $include: 'missing-a.json5' }, b: { $include: 'missing-b.json5' } }`,
    );
    expect(resolveRoot().errors).toHaveLength(2);
  });
});
