/**
 * The draft-07 JSON Schema keywords the event schemas use. Draft-07 because it is what
 * Ajv's default export (`new Ajv()`) validates: a consumer compiles docs/events with the
 * most common validator as it comes, no `ajv/dist/2020` import, no unknown-keyword errors.
 */
export type JsonSchemaType =
  'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export type JsonScalar = string | number | boolean | null;

export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $comment?: string;
  title?: string;
  description?: string;
  type?: JsonSchemaType;
  enum?: readonly JsonScalar[];
  // strings
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  // numbers
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  // arrays
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  // objects
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  maxProperties?: number;
  propertyNames?: JsonSchema;
  // combinators
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  definitions?: Record<string, JsonSchema>;
}
