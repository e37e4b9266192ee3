/**
 * Text and attribute values into HTML. Every value that comes from the system (service names,
 * symptoms, lock reasons, holders, report titles) goes through here: all five characters
 * that can end a text node or a quoted attribute are replaced, so no input can open a tag,
 * close an attribute or start an entity of its own. Attribute values are always double-quoted
 * by the renderer.
 */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => REPLACEMENTS[character] ?? character);
}

/**
 * A link target the page may render: only http(s) URLs (a `javascript:` or `data:` URL in a
 * configured tracker base would otherwise become a clickable script). Null: render no link.
 */
export function safeHref(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
}
