/**
 * A strict reader of the status page's HTML for tests: every `<` must open a well-formed tag
 * whose attribute values are double-quoted, text and attribute values may contain `&` only as
 * one of the escaper's entities, and no event-handler attribute or script element may appear.
 * Returns the document's skeleton: each tag with its attribute names, in order. Two renderings
 * of models that differ only in their strings must have the same skeleton — so no string was
 * able to add, remove or reshape a tag or an attribute.
 */
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:="[^"<>]*")?)*)\s*\/?>/y;
const ATTRIBUTE = /([a-zA-Z][a-zA-Z0-9-]*)(?:="([^"<>]*)")?/g;
const ENTITY = /&(?!(?:amp|lt|gt|quot|#39);)/;
const DOCTYPE = '<!doctype html>';

export function htmlSkeleton(doc: string): string[] {
  const skeleton: string[] = [];
  let at = 0;
  if (doc.startsWith(DOCTYPE)) at = DOCTYPE.length;
  while (at < doc.length) {
    const open = doc.indexOf('<', at);
    const text = doc.slice(at, open === -1 ? doc.length : open);
    if (text.includes('>')) throw new Error(`a ">" in text at ${at}: ${text.slice(0, 80)}`);
    if (ENTITY.test(text)) throw new Error(`a bare "&" in text at ${at}: ${text.slice(0, 80)}`);
    if (open === -1) break;
    TAG.lastIndex = open;
    const match = TAG.exec(doc);
    if (match === null)
      throw new Error(
        `a "<" that opens no well-formed tag at ${open}: ${doc.slice(open, open + 80)}`,
      );
    const [, close, name, attributes] = match as unknown as [string, string, string, string];
    const names: string[] = [];
    for (const attribute of attributes.matchAll(ATTRIBUTE)) {
      const [, attributeName, value] = attribute as unknown as [string, string, string | undefined];
      if (/^on/i.test(attributeName))
        throw new Error(`an event handler attribute: ${attributeName}`);
      if (value !== undefined && ENTITY.test(value))
        throw new Error(`a bare "&" in the value of ${attributeName}: ${value.slice(0, 80)}`);
      names.push(attributeName.toLowerCase());
    }
    const tag = name.toLowerCase();
    if (tag === 'script') throw new Error('a script element');
    skeleton.push(`${close}${tag}${names.length > 0 ? `[${names.join(' ')}]` : ''}`);
    at = TAG.lastIndex;
    if (tag === 'style' && close === '') {
      // The stylesheet is the page's own constant; it is skipped, not parsed as text.
      const end = doc.indexOf('</style>', at);
      if (end === -1) throw new Error('an unclosed style element');
      at = end;
    }
  }
  return skeleton;
}

/** The text a person reads (tags removed, entities decoded, whitespace collapsed). */
export function visibleText(doc: string): string {
  return doc
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
