import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A relative link in a markdown file that leads nowhere. */
export interface DeadLink {
  /** The markdown file, relative to the repository root, with forward slashes. */
  file: string;
  line: number;
  target: string;
  reason: string;
}

/**
 * GitHub's heading anchor (github-slugger): the heading's rendered text, lowercased, every
 * character that is not a letter, mark, digit, connector (`_`), hyphen or space dropped, then
 * each space a hyphen. Inline markup is rendered first: code spans keep their text, links keep
 * their label, emphasis stars vanish.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*/g, '')
    .replace(/<[^>]+>/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

interface Line {
  number: number;
  text: string;
}

/** The lines outside fenced code blocks: only there are headings and links markdown. */
function proseLines(markdown: string): Line[] {
  const lines: Line[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === null && opener !== undefined) {
      fence = opener;
    } else if (fence !== null) {
      if (text.trim().startsWith(fence)) fence = null;
    } else {
      lines.push({ number: index + 1, text });
    }
  });
  return lines;
}

/** Every anchor a markdown file offers: its headings' slugs (duplicates numbered) and `<a id>`s. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const [, id = ''] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id);
  }
  return anchors;
}

/** Link targets on one line of prose: inline links and images, and reference definitions. */
function targetsOn(text: string): string[] {
  const prose = text.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
  const targets = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    ([, target = '']) => target,
  );
  const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose)?.[1];
  if (definition !== undefined) targets.push(definition);
  return targets;
}

/** A scheme (`https:`, `mailto:`) or `//host`: not ours to check. */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/**
 * The dead relative links of `files` (paths relative to `root`): a target file or folder that
 * does not exist or lies outside the repository, or a `#anchor` that no heading of the target
 * markdown file (or of the same file) produces.
 */
export function findDeadLinks(root: string, files: readonly string[]): DeadLink[] {
  const realRoot = realpathSync(root);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (path: string): Set<string> => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = anchorsOf(readFileSync(path, 'utf8'));
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  const dead: DeadLink[] = [];
  for (const file of files) {
    const source = join(realRoot, file);
    for (const { number, text } of proseLines(readFileSync(source, 'utf8'))) {
      for (const target of targetsOn(text)) {
        if (isExternal(target)) continue;
        const reason = whyDead(realRoot, source, target, anchorsIn);
        if (reason) dead.push({ file: toPosix(file), line: number, target, reason });
      }
    }
  }
  return dead;
}

function whyDead(
  root: string,
  source: string,
  target: string,
  anchorsIn: (path: string) => Set<string>,
): string | null {
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  const path =
    pathPart === ''
      ? source
      : isAbsolute(pathPart)
        ? join(root, pathPart)
        : resolve(dirname(source), pathPart);
  const inside = relative(root, path);
  if (inside.startsWith('..') || isAbsolute(inside)) return 'points outside the repository';
  if (!existsSync(path)) return `no such file or folder: ${toPosix(inside)}`;
  if (anchor === null || anchor === '') return null;
  if (statSync(path).isDirectory() || extname(path).toLowerCase() !== '.md') return null;
  if (anchorsIn(path).has(anchor)) return null;
  return `no heading with anchor #${anchor} in ${toPosix(inside)}`;
}
