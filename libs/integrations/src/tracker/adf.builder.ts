import { type TicketDraft, type TicketSection, truncate } from '@opscrew/ports';
import { neutralise, neutraliseLine, safeHref } from '../text/neutralise';
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

/** One text node (ADF forbids empty text nodes: an empty string yields none). */
export function adfText(text: string, marks?: readonly AdfMark[]): AdfText[] {
  if (text.length === 0) return [];
  return [
    marks === undefined || marks.length === 0
      ? { type: 'text', text }
      : { type: 'text', text, marks },
  ];
}

/** Multi-line text as inline nodes: lines joined by hard breaks. */
export function adfLines(text: string, marks?: readonly AdfMark[]): AdfInline[] {
  const out: AdfInline[] = [];
  text.split('\n').forEach((line, index) => {
    if (index > 0) out.push({ type: 'hardBreak' });
    out.push(...adfText(line, marks));
  });
  // Trailing hard breaks render as blank space and nothing else.
  while (out.length > 0 && out[out.length - 1]?.type === 'hardBreak') out.pop();
  return out;
}

/**
 * Data text (a comment, a note) as a document: one paragraph per blank-line
 * separated block, neutralised, capped at {@link ADF_TEXT_BUDGET}. `footer`
 * is our own trusted line (e.g. a reference marker), rendered in italics.
 */
export function textToAdf(text: string, footer?: string): AdfDoc {
  const safe = truncate(neutralise(text, 'plain'), ADF_TEXT_BUDGET);
  const content: AdfBlock[] = safe
    .split(/\n{2,}/)
    .map((block) => adfLines(block.trim()))
    .filter((inline) => inline.length > 0)
    .map((inline) => ({ type: 'paragraph', content: inline }));
  if (content.length === 0) content.push({ type: 'paragraph', content: adfText('(empty)') });
  if (footer !== undefined) {
    content.push({ type: 'paragraph', content: adfText(footer, [{ type: 'em' }]) });
  }
  return { type: 'doc', version: 1, content };
}

/** `Label: text` with the link (when its href is trusted and http(s)) as a link mark. */
function sectionParagraph(section: TicketSection, budget: number): AdfBlock {
  const label = truncate(neutraliseLine(section.label, 'plain'), 256) || 'Note';
  const text = truncate(neutralise(section.text, 'plain').trim(), budget);
  const href = safeHref(section.href);
  const content: AdfInline[] = [...adfText(`${label}: `, [{ type: 'strong' }])];
  if (href !== null) {
    content.push(...adfLines(text === '' ? href : text, [{ type: 'link', attrs: { href } }]));
  } else {
    content.push(...adfLines(text));
    if (section.href !== undefined && section.href !== '') {
      // An untrusted or malformed link is shown inert, never as a link mark.
      content.push(
        ...adfText(` (link not rendered: ${truncate(neutraliseLine(section.href), 200)})`),
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
  const content: AdfBlock[] = sections.map((section) => sectionParagraph(section, perSection));
  content.push({
    type: 'paragraph',
    content: adfText(
      `Opened by opscrew for ${truncate(neutraliseLine(draft.incident_id), 128)} ` +
        `(${draft.severity}, service ${truncate(neutraliseLine(draft.service), 64)}). ` +
        `Keep the label ${idempotencyLabel}: it prevents duplicate tickets.`,
      [{ type: 'em' }],
    ),
  });
  return { type: 'doc', version: 1, content };
}

/** Every text of a document, in order (for marker lookups and tests). */
export function adfPlainText(doc: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as { type?: unknown; text?: unknown; content?: unknown };
    if (record.type === 'text' && typeof record.text === 'string') parts.push(record.text);
    if (record.type === 'hardBreak') parts.push('\n');
    if (Array.isArray(record.content)) {
      for (const child of record.content as unknown[]) walk(child);
      if (record.type === 'paragraph' || record.type === 'heading') parts.push('\n');
    }
  };
  walk(doc);
  return parts.join('');
}
