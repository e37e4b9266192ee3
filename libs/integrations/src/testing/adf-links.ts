/**
 * Every live link of an ADF document: `link` marks and `inlineCard` nodes
 * (with their target). Our Jira bodies must have none — a URL is only ever
 * text there — so tests assert this list is empty.
 */
export function adfLinks(doc: unknown): string[] {
  const links: string[] = [];
  // An explicit stack, not recursion: a captured body is data, however deep it nests.
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push(node[i]);
    } else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'link' || record.type === 'inlineCard') {
        const attrs = record.attrs as { href?: unknown; url?: unknown } | undefined;
        links.push(String(attrs?.href ?? attrs?.url));
      }
      const values = Object.values(record);
      for (let i = values.length - 1; i >= 0; i -= 1) stack.push(values[i]);
    }
  }
  return links;
}
