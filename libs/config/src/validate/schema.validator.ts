import { plainToInstance } from 'class-transformer';
import { type ValidationError, getMetadataStorage, validateSync } from 'class-validator';
import { OpscrewConfig } from '../schema/opscrew-config.schema';
import { type PathIssue } from './path-issue';

/**
 * Strict validation: unknown keys and wrong types are errors; nothing is coerced
 * ("5" is not 5). Returns the typed config (defaults applied) and every problem.
 */
export function validateSchema(plain: unknown): { config: OpscrewConfig; issues: PathIssue[] } {
  const { value, issues } = validateConfigPart(OpscrewConfig, plain, 'the configuration');
  return { config: value, issues };
}

/**
 * The same strict validation for one part of the schema (a runbook, a step)
 * built at run time — e.g. from a model's proposal — so it is held to exactly
 * the rules `opscrew config check` applies to the files.
 */
export function validateConfigPart<T extends object>(
  type: new () => T,
  plain: unknown,
  what: string,
): { value: T; issues: PathIssue[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return {
      value: new type(),
      issues: [{ segments: [], message: `the root of ${what} must be an object` }],
    };
  }
  const value = plainToInstance(type, plain, { enableImplicitConversion: false });
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: true, value: true },
  });
  const issues: PathIssue[] = [];
  for (const error of errors) flatten(error, [], issues);
  return { value, issues };
}

function flatten(error: ValidationError, parent: readonly string[], out: PathIssue[]): void {
  const segments = [...parent, error.property];
  const constraints = error.constraints ?? {};
  // One problem per value: the first failing rule says what to fix; more is noise.
  const [rule, message] = Object.entries(constraints)[0] ?? [];
  if (rule === 'whitelistValidation') {
    out.push({ segments, message: unknownKeyMessage(error) });
  } else if (message !== undefined) {
    out.push({ segments, message: oneLine(message) });
  }
  // The contents of an entry with an unknown name are not worth reporting: the name is the mistake.
  const knownKeys = (error.contexts?.map as { knownKeys?: readonly string[] } | undefined)
    ?.knownKeys;
  for (const child of error.children ?? []) {
    if (knownKeys && !knownKeys.includes(child.property)) continue;
    flatten(child, segments, out);
  }
}

function unknownKeyMessage(error: ValidationError): string {
  const target: unknown = error.target;
  const allowed =
    target && typeof target === 'object'
      ? [
          ...new Set(
            getMetadataStorage()
              .getTargetValidationMetadatas(target.constructor, '', true, false)
              .map((meta) => meta.propertyName),
          ),
        ].sort()
      : [];
  const suggestion = closest(error.property, allowed);
  if (suggestion) return `unknown key (did you mean "${suggestion}"?)`;
  return allowed.length > 0 && allowed.length <= 15
    ? `unknown key (allowed: ${allowed.join(', ')})`
    : 'unknown key';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** The allowed key within edit distance 3, if one stands out: catches `latency_p99` vs `latency_p99_ms`. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance =
      candidate.startsWith(word) || word.startsWith(candidate)
        ? Math.abs(candidate.length - word.length)
        : levenshtein(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= 3 ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
