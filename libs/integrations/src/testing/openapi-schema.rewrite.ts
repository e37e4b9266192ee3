/**
 * The two rewrites a vendor's OpenAPI schemas need before plain JSON Schema (Ajv) reads them
 * as the vendor means them. Used by {@link OpenApiValidator}.
 */

/**
 * Points a path-level schema's `#/components/...` refs at the document registered under
 * `documentId`, so they resolve from a schema compiled on its own.
 */
export function withDocumentRefs(schema: unknown, documentId: string): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(schema).replace(/"#\/components\//g, `"${documentId}#/components/`),
  ) as Record<string, unknown>;
}

/**
 * Replaces `oneOf` + `discriminator.mapping` with an if/then per mapped value. Vendors type
 * a union (SigNoz's query envelope, Jira's custom field defaults) as a `oneOf` whose variants
 * do not exclude each other, so plain JSON Schema matches several and rejects even the
 * spec's own examples; Ajv does not implement `mapping`. The rewrite says what the
 * discriminator means: the variant is the one the property names.
 */
export function rewriteDiscriminators(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteDiscriminators);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewriteDiscriminators(value);
  const discriminator = out['discriminator'];
  if (
    typeof discriminator === 'object' &&
    discriminator !== null &&
    Array.isArray(out['oneOf']) &&
    typeof (discriminator as Record<string, unknown>)['mapping'] === 'object'
  ) {
    const { propertyName, mapping } = discriminator as {
      propertyName: string;
      mapping: Record<string, string>;
    };
    delete out['discriminator'];
    delete out['oneOf'];
    const required = Array.isArray(out['required']) ? (out['required'] as string[]) : [];
    out['required'] = [...new Set([...required, propertyName])];
    out['properties'] = {
      ...(out['properties'] as Record<string, unknown> | undefined),
      [propertyName]: { type: 'string', enum: Object.keys(mapping) },
    };
    out['allOf'] = Object.entries(mapping).map(([value, ref]) => ({
      if: { properties: { [propertyName]: { const: value } }, required: [propertyName] },
      then: { $ref: ref },
    }));
  }
  return out;
}
