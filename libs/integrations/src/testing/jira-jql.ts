export interface ParsedJql {
  clauses: { field: string; value: string }[];
  descending: boolean;
}

const JQL_FIELDS = new Set(['project', 'labels', 'status', 'key', 'issuetype']);

/**
 * The JQL subset opscrew writes: `field = value` clauses joined by AND
 * (values bare or double-quoted with `\` escapes) and an optional
 * `ORDER BY created ASC|DESC`. Anything else is an error, as Jira would say.
 */
export function parseJql(jql: string): ParsedJql {
  const [where = '', order] = jql.split(/\s+ORDER\s+BY\s+/i);
  let descending = false;
  if (order !== undefined) {
    const m = /^created(?:\s+(ASC|DESC))?\s*$/i.exec(order.trim());
    if (m === null) throw new Error(`unsupported ORDER BY "${order}"`);
    descending = (m[1] ?? 'ASC').toUpperCase() === 'DESC';
  }
  const clauses: { field: string; value: string }[] = [];
  const clause = /\s*([A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*(?:AND\b|$)/iy;
  let rest = where.trim();
  while (rest.length > 0) {
    clause.lastIndex = 0;
    const m = clause.exec(rest);
    if (m === null) throw new Error(`cannot parse "${rest}"`);
    const field = (m[1] ?? '').toLowerCase();
    if (!JQL_FIELDS.has(field))
      throw new Error(
        `Field '${m[1] ?? ''}' does not exist or you do not have permission to view it.`,
      );
    const raw = m[2] ?? '';
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    clauses.push({ field, value });
    rest = rest.slice(m[0].length).trim();
  }
  return { clauses, descending };
}
