import { ADF_JSON_LIMIT } from './adf.fit';

/**
 * Checks a value is a valid ADF document for the node and mark types Jira
 * renders in descriptions and comments. The Jira OpenAPI leaves ADF untyped
 * (`description: {}`), so both our builder tests and the Jira contract server
 * use this. Returns problems as `path: message` lines; empty means valid.
 */
const BLOCK_TYPES = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
]);
const INLINE_TYPES = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard']);
const MARK_TYPES = new Set([
  'strong',
  'em',
  'code',
  'strike',
  'underline',
  'link',
  'subsup',
  'textColor',
]);

/**
 * Deepest block nesting checked (lists in lists, panels in quotes): far past
 * anything Jira renders, and a bound on the recursion — a body read back or
 * captured is data, and 20 000 nested nodes once overflowed the stack.
 */
export const ADF_MAX_DEPTH = 64;

export function checkAdf(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['body: must be an ADF document object'];
  if (value['type'] !== 'doc') problems.push('type: must be "doc"');
  if (value['version'] !== 1) problems.push('version: must be 1');
  const content = value['content'];
  if (!Array.isArray(content)) {
    problems.push('content: must be an array of block nodes');
    return problems;
  }
  content.forEach((node: unknown, i) => checkBlock(node, `content[${i}]`, problems, 1));
  if (problems.length === 0) {
    // Jira's own limit on a description or comment body: a longer one is a 400.
    const length = JSON.stringify(value).length;
    if (length > ADF_JSON_LIMIT) {
      problems.push(`body: ${length} characters of JSON, Jira allows ${ADF_JSON_LIMIT}`);
    }
  }
  return problems;
}

function checkBlock(node: unknown, path: string, problems: string[], depth: number): void {
  if (depth > ADF_MAX_DEPTH) {
    problems.push(`${path}: nested deeper than ${ADF_MAX_DEPTH} blocks`);
    return;
  }
  if (!isObject(node) || typeof node['type'] !== 'string') {
    problems.push(`${path}: must be a node with a type`);
    return;
  }
  const type = node['type'];
  if (!BLOCK_TYPES.has(type)) {
    problems.push(`${path}.type: "${type}" is not a block node`);
    return;
  }
  const content = node['content'];
  switch (type) {
    case 'rule':
      return;
    case 'heading': {
      const attrs = node['attrs'];
      const level = isObject(attrs) ? attrs['level'] : undefined;
      if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 6) {
        problems.push(`${path}.attrs.level: must be an integer 1-6`);
      }
      checkInlineList(content, path, problems, true);
      return;
    }
    case 'paragraph':
      checkInlineList(content, path, problems, true);
      return;
    case 'codeBlock':
      checkInlineList(content, path, problems, true, true);
      return;
    case 'bulletList':
    case 'orderedList':
      if (!Array.isArray(content) || content.length === 0) {
        problems.push(`${path}.content: must be a non-empty array of listItem`);
        return;
      }
      content.forEach((item: unknown, i) => {
        const itemPath = `${path}.content[${i}]`;
        if (!isObject(item) || item['type'] !== 'listItem' || !Array.isArray(item['content'])) {
          problems.push(`${itemPath}: must be a listItem with content`);
          return;
        }
        (item['content'] as unknown[]).forEach((child, j) =>
          checkBlock(child, `${itemPath}.content[${j}]`, problems, depth + 1),
        );
      });
      return;
    default:
      if (!Array.isArray(content)) {
        problems.push(`${path}.content: must be an array`);
        return;
      }
      content.forEach((child: unknown, i) =>
        checkBlock(child, `${path}.content[${i}]`, problems, depth + 1),
      );
  }
}

function checkInlineList(
  content: unknown,
  path: string,
  problems: string[],
  optional: boolean,
  plainTextOnly = false,
): void {
  if (content === undefined && optional) return;
  if (!Array.isArray(content)) {
    problems.push(`${path}.content: must be an array of inline nodes`);
    return;
  }
  content.forEach((node: unknown, i) => {
    const nodePath = `${path}.content[${i}]`;
    if (!isObject(node) || typeof node['type'] !== 'string' || !INLINE_TYPES.has(node['type'])) {
      problems.push(`${nodePath}: must be an inline node (text, hardBreak, …)`);
      return;
    }
    if (node['type'] !== 'text') return;
    const text = node['text'];
    if (typeof text !== 'string' || text.length === 0) {
      problems.push(`${nodePath}.text: must be a non-empty string`);
    }
    const marks = node['marks'];
    if (marks === undefined) return;
    if (plainTextOnly) {
      problems.push(`${nodePath}.marks: code blocks take unmarked text`);
      return;
    }
    if (!Array.isArray(marks)) {
      problems.push(`${nodePath}.marks: must be an array`);
      return;
    }
    marks.forEach((mark: unknown, j) => checkMark(mark, `${nodePath}.marks[${j}]`, problems));
  });
}

function checkMark(mark: unknown, path: string, problems: string[]): void {
  if (!isObject(mark) || typeof mark['type'] !== 'string' || !MARK_TYPES.has(mark['type'])) {
    problems.push(`${path}: unknown mark`);
    return;
  }
  if (mark['type'] === 'link') {
    const attrs = mark['attrs'];
    const href = isObject(attrs) ? attrs['href'] : undefined;
    if (typeof href !== 'string' || href.length === 0) {
      problems.push(`${path}.attrs.href: a link mark needs an href`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
