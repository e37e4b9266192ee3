import { scrubSecrets } from '@opscrew/contracts';
import { type SourcedNode } from './load/sourced-node';

export const REDACTED = '***';

/** Keys whose values are credentials whatever their source. */
export const SECRET_KEY =
  /(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|access[_-]?key|credentials?|private[_-]?key|webhook[_-]?url|authorization|cookie)$/i;

/**
 * The resolved configuration as plain JSON, safe to print or log: every value
 * that came from a `${VAR}` and every value under a secret-looking key is "***",
 * and every other string goes through the secret scrubber (a password inside a
 * URL, `?api_key=` in an endpoint, a token pasted into a note are masked too,
 * whatever the key is called).
 */
export function redact(node: SourcedNode, key = ''): unknown {
  switch (node.kind) {
    case 'scalar':
      if (node.fromEnv) return REDACTED;
      if (SECRET_KEY.test(key) && node.value !== null && node.value !== '') return REDACTED;
      return typeof node.value === 'string' ? scrubSecrets(node.value) : node.value;
    case 'array':
      return node.items.map((item) => redact(item, key));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [childKey, child] of node.entries) out[childKey] = redact(child, childKey);
      return out;
    }
  }
}
