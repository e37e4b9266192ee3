/** An object that is not an array nor a Map (a `$include`d map is read into a Map). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Map)
  );
}
