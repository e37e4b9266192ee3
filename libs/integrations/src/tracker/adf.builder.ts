import { type TicketDraft, type TicketSection, truncate } from '@opscrew/ports';
import { neutralise, neutraliseLine, safeHref } from '../text/neutralise';
import { fitAdf } from './adf.fit';
import {
  type AdfBlock,
  type AdfDoc,
  type AdfInline,
  type AdfMark,
  type AdfText,
} from './adf.types';

/**
 * Jira Cloud rejects a description or comment body above 32 767 characters;
 * 30 000 leaves room for labels and the footer line.
 */
export const ADF_TEXT_BUDGET = 30_000;
/**
 * Raw text read before neutralising: twice the budget (neutralising may
 * remove invisible characters), cut with an ellipsis past it, so a megabyte
 * of hostile text costs milliseconds. A label or a footer part reads 1 024.
 */
const RAW_TEXT_MAX = 2 * ADF_TEXT_BUDGET;
const RAW_LABEL_MAX = 1024;

/** One text node (ADF forbids empty text nodes: an empty string yields none). */
export function adfText(text: string, marks?: readonly AdfMark[]): AdfText[] {
  if (text.length === 0) return [];
  return [
    marks === undefined || marks.length === 0
      ? { type: 'text', text }
      : { type: 'text', text, marks },
  ];
}

/**
 * Lines of one text shown as lines; past this, the rest of the text is one
 * line with {@link FOLDED_BREAK} where its breaks were (2 000 newlines of
 * hostile `detail` once made 1 905 hard-break nodes).
 */
export const ADF_MAX_LINES = 40;
/** Marks a line break folded away by {@link ADF_MAX_LINES}. */
export const FOLDED_BREAK = ' ⏎ ';

/** Multi-line text as inline nodes: lines joined by hard breaks (at most {@link ADF_MAX_LINES} lines). */
export function adfLines(text: string, marks?: readonly AdfMark[]): AdfInline[] {
  const out: AdfInline[] = [];
  const lines = text.split('\n');
  if (lines.length > ADF_MAX_LINES) {
    lines.splice(ADF_MAX_LINES - 1, Infinity, lines.slice(ADF_MAX_LINES - 1).join(FOLDED_BREAK));
  }
  lines.forEach((line, index) => {
    if (index > 0) out.push({ type: 'hardBreak' });
    out.push(...adfText(line, marks));
  });
  // Trailing hard breaks render as blank space and nothing else.
  while (out.length > 0 && out[out.length - 1]?.type === 'hardBreak') out.pop();
  return out;
}

/**
 * Data text (a comment, a note) as a document: one paragraph per blank-line
 * separated block, neutralised, capped at {@link ADF_TEXT_BUDGET} and the
 * whole document's JSON at Jira's limit (fitAdf). `footer` is our own trusted
 * line (e.g. a reference marker), rendered in italics and always kept.
 */
export function textToAdf(text: string, footer?: string): AdfDoc {
  const safe = truncate(neutralise(truncate(text, RAW_TEXT_MAX), 'plain'), ADF_TEXT_BUDGET);
  const content: AdfBlock[] = safe
    .split(/\n{2,}/)
    .map((block) => adfLines(block.trim()))
    .filter((inline) => inline.length > 0)
    .map((inline) => ({ type: 'paragraph', content: inline }));
  if (content.length === 0) content.push({ type: 'paragraph', content: adfText('(empty)') });
  const tail: AdfBlock[] =
    footer === undefined
      ? []
      : [{ type: 'paragraph', content: adfText(truncate(footer, 1024), [{ type: 'em' }]) }];
  return fitAdf(content, tail);
}

/** Longest link text: a link is a label (one line), its target travels in the mark. */
const LINK_TEXT_MAX_LENGTH = 200;

/** `Label: text` with the link (when its href is trusted and http(s)) as a link mark. */
function sectionParagraph(section: TicketSection, budget: number): AdfBlock {
  const label =
    truncate(neutraliseLine(truncate(section.label, RAW_LABEL_MAX), 'plain'), 256) || 'Note';
  const text = truncate(neutralise(truncate(section.text, RAW_TEXT_MAX), 'plain').trim(), budget);
  const href = safeHref(section.href);
  const content: AdfInline[] = [...adfText(`${label}: `, [{ type: 'strong' }])];
  if (href !== null) {
    // One line, one text node: each line of a multi-line label once carried its own copy
    // of the (up to 2 KB) href, and one 1.3 KB service name made 236 KB of ADF.
    const linkText = truncate(
      neutraliseLine(truncate(section.text, RAW_LABEL_MAX), 'plain'),
      LINK_TEXT_MAX_LENGTH,
    );
    content.push(
      ...adfText(linkText === '' ? 'link' : linkText, [{ type: 'link', attrs: { href } }]),
    );
  } else {
    content.push(...adfLines(text));
    if (section.href !== undefined && section.href !== '') {
      // An untrusted or malformed link is shown inert, never as a link mark.
      content.push(
        ...adfText(
          ` (link not rendered: ${truncate(neutraliseLine(truncate(section.href, RAW_LABEL_MAX)), 200)})`,
        ),
      );
    }
  }
  return { type: 'paragraph', content };
}

/**
 * The ticket description: one paragraph per draft section (detection time,
 * service, symptom with value and threshold, impact, trace link, runbook…),
 * then a footer saying who opened it and which label carries the idempotency
 * key (so a human does not remove it).
 */
export function buildTicketDescription(draft: TicketDraft, idempotencyLabel: string): AdfDoc {
  const sections =
    draft.sections.length === 0 ? [{ label: 'Summary', text: draft.summary }] : draft.sections;
  const perSection = Math.max(200, Math.floor(ADF_TEXT_BUDGET / Math.max(1, sections.length)));
  // Sections past what 32,767 characters of JSON can hold are not rendered (fitAdf would drop them).
  const content: AdfBlock[] = sections
    .slice(0, 200)
    .map((section) => sectionParagraph(section, perSection));
  const footer: AdfBlock = {
    type: 'paragraph',
    content: adfText(
      `Opened by opscrew for ${truncate(neutraliseLine(truncate(draft.incident_id, RAW_LABEL_MAX)), 128)} ` +
        `(${draft.severity}, service ${truncate(neutraliseLine(truncate(draft.service, RAW_LABEL_MAX)), 64)}). ` +
        `Keep the label ${idempotencyLabel}: it prevents duplicate tickets.`,
      [{ type: 'em' }],
    ),
  };
  return fitAdf(content, [footer]);
}

/**
 * Every text of a document, in order (for marker lookups and tests). Walks
 * with an explicit stack, not recursion: a comment read back from Jira is
 * data, and 20 000 nested nodes once overflowed the call stack.
 */
export function adfPlainText(doc: unknown): string {
  const parts: string[] = [];
  // A string on the stack is text to emit once the nodes above it are done.
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      parts.push(node);
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const record = node as { type?: unknown; text?: unknown; content?: unknown };
    if (record.type === 'text' && typeof record.text === 'string') parts.push(record.text);
    if (record.type === 'hardBreak') parts.push('\n');
    if (Array.isArray(record.content)) {
      if (record.type === 'paragraph' || record.type === 'heading') stack.push('\n');
      const children = record.content as unknown[];
      for (let i = children.length - 1; i >= 0; i -= 1) {
        const child = children[i];
        // Strings inside content are not ADF: skipped, as the recursive walk did.
        if (typeof child !== 'string') stack.push(child);
      }
    }
  }
  return parts.join('');
}
