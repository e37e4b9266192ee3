import { type JsonSchema } from '../json-schema/json-schema.types';

export type Constructor = new () => object;

/** Turns a nested class into a schema (a `$ref`); the generator collects the class's own schema. */
export type NestedRef = (cls: Constructor) => JsonSchema;

/**
 * A validation rule read as JSON Schema. Each decorator in field.validators.ts stores one as
 * its class-validator constraint, built from the same arguments as its check, so the schemas
 * in docs/events are generated from the rules themselves, not from a hand-kept copy.
 */
export class SchemaHint {
  constructor(private readonly build: (ref: NestedRef) => JsonSchema) {}

  toSchema(ref: NestedRef): JsonSchema {
    return this.build(ref);
  }
}
