/** The `route` label of requests no route matches: one series, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Methods kept as they are in the `method` label; anything else is `OTHER` (bounded cardinality). */
const KNOWN_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export type RouteLookup<T> =
  | { kind: 'found'; route: string; params: Record<string, string>; handler: T }
  | { kind: 'method_not_allowed'; route: string; allow: string[] }
  | { kind: 'not_found'; route: typeof UNMATCHED_ROUTE };

interface Entry<T> {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: T;
}

/**
 * Routes by pattern (`/product/:id`). A lookup names the pattern, not the
 * path, so the metrics' `route` label stays one series per endpoint however
 * many product ids, user ids or query strings pass through.
 */
export class RouteTable<T> {
  private readonly entries: Entry<T>[] = [];

  add(method: string, pattern: string, handler: T): this {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with /: ${pattern}`);
    this.entries.push({ method, pattern, segments: splitPath(pattern), handler });
    return this;
  }

  lookup(method: string, path: string): RouteLookup<T> {
    const segments = splitPath(path);
    let allow: string[] = [];
    let allowedRoute: string | null = null;
    for (const entry of this.entries) {
      const params = matchSegments(entry.segments, segments);
      if (params === null) continue;
      if (entry.method === method || (method === 'HEAD' && entry.method === 'GET')) {
        return { kind: 'found', route: entry.pattern, params, handler: entry.handler };
      }
      allowedRoute ??= entry.pattern;
      allow = [...allow, entry.method];
    }
    if (allowedRoute !== null) return { kind: 'method_not_allowed', route: allowedRoute, allow };
    return { kind: 'not_found', route: UNMATCHED_ROUTE };
  }
}

/** The `method` label: known methods upper-cased, anything else `OTHER`. */
export function normaliseMethod(method: string | undefined): string {
  const upper = (method ?? 'GET').toUpperCase();
  return KNOWN_METHODS.includes(upper) ? upper : 'OTHER';
}

/** Path segments without empty ones (`//a/b/` → [a, b]), percent-decoded where valid. */
function splitPath(path: string): string[] {
  const withoutQuery = path.split(/[?#]/, 1)[0] ?? '';
  return withoutQuery
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeSegment);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(
  pattern: readonly string[],
  path: readonly string[],
): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? '';
    const actual = path[i] ?? '';
    if (expected.startsWith(':')) params[expected.slice(1)] = actual;
    else if (expected !== actual) return null;
  }
  return params;
}
