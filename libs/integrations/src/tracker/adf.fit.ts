import { type AdfBlock, type AdfDoc, type AdfInline, type AdfText } from './adf.types';

/**
 * Jira Cloud refuses a description or comment whose ADF JSON is longer than
 * 32 767 characters (a 400, and the ticket or comment is lost), so every
 * document we send is fitted to this by construction.
 */
export const ADF_JSON_LIMIT = 32_767;

/** The paragraph that says a document was cut (our own text, never data). */
export const ADF_TRUNCATION_NOTE = '… (truncated: Jira allows 32,767 characters per document)';

/**
 * The document of `blocks` then `tail` (our own short closing lines: always
 * kept), whose JSON is at most `limit` characters: blocks are kept in order
 * while they fit; the first that does not is cut to the room left (inline
 * nodes dropped from its end, a text node cut mid-way) and followed by the
 * truncation note paragraph; the rest are dropped. Each block is serialised
 * once, so fitting is linear in the input.
 */
export function fitAdf(
  blocks: readonly AdfBlock[],
  tail: readonly AdfBlock[] = [],
  limit: number = ADF_JSON_LIMIT,
): AdfDoc {
  const note: AdfBlock = {
    type: 'paragraph',
    content: [{ type: 'text', text: ADF_TRUNCATION_NOTE }],
  };
  // `{"type":"doc","version":1,"content":[]}` plus one comma per member after the first.
  let room = limit - jsonLength({ type: 'doc', version: 1, content: [] }) - jsonLength(note) - 1;
  const fittedTail: AdfBlock[] = [];
  for (const block of tail) {
    const cost = jsonLength(block) + 1;
    if (cost > room) break;
    fittedTail.push(block);
    room -= cost;
  }
  const content: AdfBlock[] = [];
  let truncated = false;
  for (const block of blocks) {
    const cost = jsonLength(block) + 1;
    if (cost <= room) {
      content.push(block);
      room -= cost;
      continue;
    }
    const cut = cutBlock(block, room);
    if (cut !== null) content.push(cut);
    truncated = true;
    break;
  }
  if (truncated) content.push(note);
  content.push(...fittedTail);
  return { type: 'doc', version: 1, content };
}

/** `block` with inline content cut so that its JSON (plus a comma) fits `room`; null when not even empty it fits. */
function cutBlock(block: AdfBlock, room: number): AdfBlock | null {
  let left = room - jsonLength({ ...block, content: [] }) - 1;
  if (left < 0) return null;
  const kept: AdfInline[] = [];
  for (const node of block.content) {
    const cost = jsonLength(node) + (kept.length > 0 ? 1 : 0);
    if (cost <= left) {
      kept.push(node);
      left -= cost;
      continue;
    }
    if (node.type === 'text') {
      const overhead = jsonLength({ ...node, text: '' }) + (kept.length > 0 ? 1 : 0);
      const text = cutToJsonLength(node.text, left - overhead);
      if (text.length > 0) kept.push({ ...node, text } satisfies AdfText);
    }
    break;
  }
  // ADF paragraphs may be empty, a trailing hard break shows nothing: drop it.
  while (kept.length > 0 && kept[kept.length - 1]?.type === 'hardBreak') kept.pop();
  return { ...block, content: kept };
}

/** The longest prefix of `text` whose JSON string body is at most `max` characters (never half a surrogate pair). */
export function cutToJsonLength(text: string, max: number): string {
  let used = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const pair =
      code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(end + 1)) ? 2 : 1;
    const cost = pair === 2 ? 2 : jsonCharCost(code);
    if (used + cost > max) break;
    used += cost;
    end += pair;
  }
  return text.slice(0, end);
}

/** Characters JSON.stringify writes for one UTF-16 unit that is not half of a pair. */
function jsonCharCost(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2;
  if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return 2;
  if (code < 0x20) return 6;
  if (code >= 0xd800 && code <= 0xdfff) return 6;
  return 1;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function jsonLength(value: unknown): number {
  return JSON.stringify(value).length;
}
