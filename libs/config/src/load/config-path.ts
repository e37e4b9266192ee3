/**
 * Dotted paths as users read them: `agents.ops-monitor.tools[2]`.
 * Array indices use brackets (OpenClaw's convention in its error texts).
 */
export type PathSegment = string | number;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else {
      out += out === '' ? segment : `.${segment}`;
    }
  }
  return out;
}
