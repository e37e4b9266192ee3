import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { flagdSchemaDir } from './flagd-files';

export { bundledFlagFile, flagdSchemaDir } from './flagd-files';

/** Schema errors quoted in one message: the first few say what is wrong; oneOf branches repeat. */
const MAX_REPORTED_ERRORS = 5;

/**
 * A whole flagd flag document checked against flagd's own schema (draft-07).
 * `flags.schema.json` refers to `./targeting.json`, which draft-07 validators
 * cannot resolve from a file: the targeting schema is registered under its
 * absolute `$id` (https://flagd.dev/schema/v0/targeting.json) first, so the
 * relative reference resolves against the flags schema's own `$id`.
 */
export class FlagdSchemaValidator {
  private readonly check: ValidateFunction;

  constructor(schemaDir: string = flagdSchemaDir()) {
    const read = (name: string): Record<string, unknown> =>
      JSON.parse(readFileSync(join(schemaDir, name), 'utf8')) as Record<string, unknown>;
    // strict: false — flagd's schemas use `$comment` and draft-07 idioms Ajv's strict mode flags.
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(read('targeting.schema.json'));
    this.check = ajv.compile(read('flags.schema.json'));
  }

  /** Problems as `path: message` lines; empty when the document is valid. */
  validate(document: unknown): string[] {
    if (this.check(document)) return [];
    const lines = new Set<string>();
    for (const error of this.check.errors ?? []) lines.add(describe(error));
    return [...lines].slice(0, MAX_REPORTED_ERRORS);
  }
}

function describe(error: ErrorObject): string {
  const path = error.instancePath === '' ? '(document)' : error.instancePath;
  const allowed =
    error.keyword === 'enum' && Array.isArray(error.params['allowedValues'])
      ? ` (${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
      : '';
  return `${path}: ${error.message ?? error.keyword}${allowed}`;
}
