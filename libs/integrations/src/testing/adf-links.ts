/**
 * Every live link of an ADF document: `link` marks and `inlineCard` nodes
 * (with their target). Our Jira bodies must have none — a URL is only ever
 * text there — so tests assert this list is empty.
 */
export function adfLinks(doc: unknown): string[] {
  const links: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
    } else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'link' || record.type === 'inlineCard') {
        const attrs = record.attrs as { href?: unknown; url?: unknown } | undefined;
        links.push(String(attrs?.href ?? attrs?.url));
      }
      for (const value of Object.values(record)) walk(value);
    }
  };
  walk(doc);
  return links;
}
