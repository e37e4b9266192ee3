import { getMetadataStorage, type MetadataStorage, ValidationTypes } from 'class-validator';
import { presenceOf, type FieldPresence } from '../validation/field.validators';
import { type Constructor, type NestedRef, SchemaHint } from '../validation/schema-hint';
import { type JsonSchema } from './json-schema.types';

// class-validator does not export the metadata class from its entry point.
type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export interface ClassSchemaOptions {
  readonly $id: string;
  readonly title: string;
  readonly description: string;
  readonly $comment?: string;
  /**
   * Keywords added to single properties of the top-level class: a `description`, or a
   * bound the class does not carry itself (the registry's current schema version).
   */
  readonly refine?: Readonly<Record<string, JsonSchema>>;
}

/**
 * A draft-07 JSON Schema for a class validated by validatePlain, read from class-validator's
 * metadata: every rule of field.validators.ts carries its own schema ({@link SchemaHint}),
 * OptionalField / NullableField decide `required` and `null`, and validatePlain's whitelist
 * becomes `additionalProperties: false` on every class. Nested classes go to `definitions`.
 * Anything the generator cannot read (a plain class-validator decorator, an unknown condition)
 * is an error naming the class and property, never a silently looser schema.
 */
export function classJsonSchema(cls: Constructor, options: ClassSchemaOptions): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  const named = new Map<string, Constructor>();
  const ref: NestedRef = (nested) => {
    const known = named.get(nested.name);
    if (known === undefined) {
      // Registered before it is walked, so a class that nests itself still terminates.
      named.set(nested.name, nested);
      definitions[nested.name] = objectSchema(nested, ref, {});
    } else if (known !== nested) {
      throw new Error(
        `${cls.name}: two nested classes are named ${nested.name}; definitions need unique names`,
      );
    }
    return { $ref: `#/definitions/${nested.name}` };
  };
  const body = objectSchema(cls, ref, options.refine ?? {});
  return {
    $schema: DRAFT_07,
    $id: options.$id,
    title: options.title,
    description: options.description,
    ...(options.$comment === undefined ? {} : { $comment: options.$comment }),
    ...body,
    ...(Object.keys(definitions).length > 0 ? { definitions } : {}),
  };
}

function objectSchema(
  cls: Constructor,
  ref: NestedRef,
  refine: Readonly<Record<string, JsonSchema>>,
): JsonSchema {
  const byProperty = propertyMetadata(cls);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [property, metadata] of byProperty) {
    const where = `${cls.name}.${property}`;
    const { presence, schema } = propertySchema(where, metadata, ref);
    properties[property] = withRefinement(where, presence, schema, refine[property]);
    if (presence !== 'optional') required.push(property);
  }
  for (const property of Object.keys(refine)) {
    if (!byProperty.has(property)) {
      throw new Error(
        `${cls.name}: a note or bound is given for "${property}", not a property of it`,
      );
    }
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * Validation metadata per property, in reading order: the fields of the base classes first,
 * down to the class itself, then the root class's fields (for events: the envelope), so a
 * schema starts with what the event is about.
 */
function propertyMetadata(cls: Constructor): Map<string, ValidationMetadata[]> {
  const all = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const chain: unknown[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype;) {
    chain.unshift(c);
    c = Object.getPrototypeOf(c);
  }
  const order = chain.length > 1 ? [...chain.slice(1), chain[0]] : chain;
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const target of order) {
    for (const metadata of all) {
      if (metadata.target !== target) continue;
      const list = byProperty.get(metadata.propertyName) ?? [];
      list.push(metadata);
      byProperty.set(metadata.propertyName, list);
    }
  }
  return byProperty;
}

type Presence = FieldPresence | 'required';

function propertySchema(
  where: string,
  metadata: readonly ValidationMetadata[],
  ref: NestedRef,
): { presence: Presence; schema: JsonSchema } {
  let presence: Presence = 'required';
  const parts: JsonSchema[] = [];
  for (const item of metadata) {
    const constraint: unknown = item.constraints?.[0];
    switch (item.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION: {
        const found = presenceOf(constraint);
        if (found === undefined) {
          throw new Error(
            `${where}: a ValidateIf other than OptionalField/NullableField has no JSON Schema`,
          );
        }
        presence = found;
        break;
      }
      case ValidationTypes.CUSTOM_VALIDATION:
        if (!(constraint instanceof SchemaHint)) {
          throw new Error(
            `${where}: rule "${item.name ?? 'unnamed'}" carries no JSON Schema; ` +
              'use the decorators of libs/contracts/src/validation/field.validators.ts',
          );
        }
        parts.push(constraint.toSchema(ref));
        break;
      case ValidationTypes.NESTED_VALIDATION:
        // IsNested / IsNestedArray: their shape rule carries the reference to the nested class.
        break;
      default:
        throw new Error(`${where}: class-validator rule type "${item.type}" has no JSON Schema`);
    }
  }
  const [only, ...more] = parts;
  if (only === undefined) {
    throw new Error(
      `${where}: no validation rule, so no JSON Schema (and validatePlain refuses it)`,
    );
  }
  return { presence, schema: more.length === 0 ? only : { allOf: parts } };
}

/** Adds the caller's keywords, then `null` for a nullable field, description first. */
function withRefinement(
  where: string,
  presence: Presence,
  schema: JsonSchema,
  refinement: JsonSchema | undefined,
): JsonSchema {
  const { description: own, ...rule } = schema;
  const { description: extra, ...bounds } = refinement ?? {};
  if (Object.keys(bounds).length > 0 && rule.type === undefined) {
    throw new Error(`${where}: bounds can only be added to a plain typed schema`);
  }
  const merged: JsonSchema = { ...rule, ...bounds };
  const typed = presence === 'nullable' ? { anyOf: [merged, { type: 'null' as const }] } : merged;
  const description = [extra, own].filter((text) => text !== undefined).join(' ');
  if (description === '') return typed;
  // Draft-07 ignores the siblings of a $ref: wrap it so the description is not lost on readers.
  return typed.$ref === undefined ? { description, ...typed } : { description, allOf: [typed] };
}
