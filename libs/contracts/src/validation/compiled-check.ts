import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import { presenceOf, type FieldPresence } from './field.validators';
import { type Constructor, SchemaHint } from './schema-hint';
import {
  type ClassType,
  findForbiddenKey,
  RESERVED_KEYS,
  type Validated,
  validatePlain,
} from './validate-plain';

/** Whether a parsed JSON value passes a class's rules; false may also mean "ask validatePlain". */
export type PlainCheck = (plain: unknown) => boolean;

// class-validator does not export the metadata class from its entry point.
type ValidationMetadata = ReturnType<
  ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']
>[number];

interface PropertyPlan {
  readonly name: string;
  /** OptionalField skips `undefined`, NullableField skips `null`: the rules are not run then. */
  readonly skips: readonly FieldPresence[];
  /** The rules' own checks (the same functions class-validator calls), with their arguments. */
  readonly rules: readonly {
    readonly validate: (value: unknown, args: ValidationArguments) => unknown;
    readonly args: ValidationArguments;
  }[];
  /** IsNested / IsNestedArray: the class the value (or each item) is validated as. */
  readonly nested?: ClassPlan;
}

interface ClassPlan {
  properties: readonly PropertyPlan[];
  names: ReadonlySet<string>;
}

/** Anything the compiler does not read: that class is always checked by validatePlain. */
class NotCompilable extends Error {}

/** Per class: its compiled check, or why there is none. */
const compiled = new WeakMap<Constructor, PlainCheck | string>();

/**
 * A check of a parsed JSON value against a class of field.validators.ts rules, compiled once
 * from class-validator's metadata, for hot write paths (a KV record re-checked before every
 * compare-and-swap). validatePlain transforms the value into an instance (class-transformer)
 * and walks class-validator's metadata on every call; this runs the very same rule functions
 * over the value as it is, with the same whitelist (no unknown keys), presence and nesting.
 *
 * It may only say "valid" where validatePlain would: anything it does not read exactly (a
 * plain class-validator decorator, groups, `each`, a ValidateIf other than OptionalField /
 * NullableField, a class whose fresh instance holds values) makes the class uncompilable and
 * the check always false, so the caller falls back to validatePlain — which also words every
 * refusal (`path: message`). validate-plain.spec.ts holds the two in agreement over mutations.
 */
export function compiledCheck(cls: Constructor): PlainCheck {
  // The reserved-key and depth walk validatePlain runs first (it also bounds the recursion below).
  return (plain) =>
    isPlainValue(plain) && findForbiddenKey(plain, '', 0) === null && checkOf(cls)(plain);
}

/**
 * validatePlain's verdict without its instance, for a value about to be stored: the compiled
 * check, and validatePlain itself (its verdict and its wording) whenever that one says no.
 */
export function checkPlain(
  cls: Constructor,
  plain: unknown,
): { ok: true } | { ok: false; reason: string } {
  if (compiledCheck(cls)(plain)) return PASSED;
  const full = validatePlain(cls, plain);
  return full.ok ? PASSED : full;
}

const PASSED = { ok: true } as const;

/**
 * validatePlain's result (the same instance, the same refusals) for values read or built on hot
 * paths (events, KV reads): when the compiled check passes, class-validator's walk is skipped
 * and only the instance is made.
 */
export function validateCompiled<T extends object>(
  cls: ClassType<T>,
  plain: unknown,
): Validated<T> {
  if (!compiledCheck(cls)(plain)) return validatePlain(cls, plain);
  return { ok: true, value: plainToInstance(cls, plain, { enableImplicitConversion: false }) };
}

function checkOf(cls: Constructor): PlainCheck {
  const check = compiledOf(cls);
  return typeof check === 'string' ? refuseAll : check;
}

/** Why `cls` has no compiled check (validatePlain checks it every time); null when it has one. */
export function uncompiledReason(cls: Constructor): string | null {
  const check = compiledOf(cls);
  return typeof check === 'string' ? check : null;
}

function compiledOf(cls: Constructor): PlainCheck | string {
  let check = compiled.get(cls);
  if (check === undefined) {
    check = compile(cls);
    compiled.set(cls, check);
  }
  return check;
}

const refuseAll: PlainCheck = () => false;

function compile(cls: Constructor): PlainCheck | string {
  let plan: ClassPlan;
  try {
    plan = planOf(cls, new Map());
  } catch (err: unknown) {
    if (err instanceof NotCompilable) return err.message;
    throw err;
  }
  return (plain) => isPlainValue(plain) && passes(plan, plain);
}

const RESERVED: ReadonlySet<string> = new Set(RESERVED_KEYS);

function isPlainValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function passes(plan: ClassPlan, value: Record<string, unknown>): boolean {
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (!plan.names.has(key) || RESERVED.has(key)) return false;
  }
  for (const property of plan.properties) {
    const field = value[property.name];
    if (skipped(property.skips, field)) continue;
    for (const rule of property.rules) {
      rule.args.value = field;
      rule.args.object = value;
      // Only a plain `true` passes here: anything else (a truthy non-boolean, an async rule's
      // Promise) is left to validatePlain, which judges it as class-validator does.
      if (rule.validate(field, rule.args) !== true) return false;
    }
    if (
      property.nested !== undefined &&
      field !== undefined &&
      !nestedPasses(property.nested, field)
    )
      return false;
  }
  return true;
}

function skipped(skips: readonly FieldPresence[], field: unknown): boolean {
  for (const skip of skips) {
    if (skip === 'optional' ? field === undefined : field === null) return true;
  }
  return false;
}

/** class-validator's nested walk: an array's items each, else the object itself. */
function nestedPasses(plan: ClassPlan, field: unknown): boolean {
  if (Array.isArray(field)) {
    for (const item of field) {
      if (!isPlainValue(item) || !passes(plan, item)) return false;
    }
    return true;
  }
  return isPlainValue(field) && passes(plan, field);
}

function planOf(cls: Constructor, plans: Map<Constructor, ClassPlan>): ClassPlan {
  const known = plans.get(cls);
  if (known !== undefined) return known;
  // Registered before it is filled, so a class that nests itself still terminates.
  const plan: ClassPlan = { properties: [], names: new Set() };
  plans.set(cls, plan);
  const storage = getMetadataStorage();
  // The same lookup validateSync makes (no groups, `always` off, not strict).
  const all = storage.getTargetValidationMetadatas(cls, '', false, false);
  if (all.length === 0) throw new NotCompilable(`${cls.name}: no rules`); // forbidUnknownValues refuses such a class
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of all) {
    // `each` on a nested rule changes nothing (arrays are walked item by item anyway); on a
    // value rule it would test items, not the value.
    const eachItem = metadata.each && metadata.type !== ValidationTypes.NESTED_VALIDATION;
    if (metadata.groups?.length || metadata.always !== undefined || eachItem)
      throw new NotCompilable(`${cls.name}.${metadata.propertyName}: groups, always or each`);
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }
  checkFreshInstance(cls, byProperty);
  plan.properties = [...byProperty].map(([name, metadata]) =>
    propertyPlan(cls, name, metadata, plans),
  );
  plan.names = new Set(byProperty.keys());
  return plan;
}

/**
 * validateSync sees the instance class-transformer makes: a declared field with a default, or
 * one no rule covers, would be validated (or refused) though the JSON lacks it.
 */
function checkFreshInstance(cls: Constructor, byProperty: ReadonlyMap<string, unknown>): void {
  let instance: object;
  try {
    instance = new cls();
  } catch {
    throw new NotCompilable(`${cls.name}: no instance without arguments`);
  }
  for (const [key, value] of Object.entries(instance)) {
    if (value !== undefined || !byProperty.has(key))
      throw new NotCompilable(`${cls.name}.${key}: a default or a field without rules`);
  }
}

function propertyPlan(
  cls: Constructor,
  name: string,
  metadata: readonly ValidationMetadata[],
  plans: Map<Constructor, ClassPlan>,
): PropertyPlan {
  const storage = getMetadataStorage();
  const skips: FieldPresence[] = [];
  const rules: PropertyPlan['rules'][number][] = [];
  let nestedValidation = false;
  for (const item of metadata) {
    const constraint: unknown = item.constraints?.[0];
    switch (item.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION: {
        const presence = presenceOf(constraint);
        if (presence === undefined)
          throw new NotCompilable(`${cls.name}.${name}: a ValidateIf of its own`);
        skips.push(presence);
        break;
      }
      case ValidationTypes.CUSTOM_VALIDATION:
        // Only field.validators.ts rules (each carries its SchemaHint): their tests read the value alone.
        if (!(constraint instanceof SchemaHint))
          throw new NotCompilable(
            `${cls.name}.${name}: rule ${item.name ?? 'unnamed'} is not a field rule`,
          );
        for (const rule of storage.getTargetValidatorConstraints(item.constraintCls)) {
          // validateSync skips asynchronous rules; so does this.
          if (rule.async) continue;
          const instance = rule.instance as {
            validate: (value: unknown, args: ValidationArguments) => unknown;
          };
          rules.push({
            validate: instance.validate.bind(instance),
            args: {
              targetName: cls.name,
              property: name,
              object: {},
              value: undefined,
              constraints: item.constraints,
            },
          });
        }
        break;
      case ValidationTypes.NESTED_VALIDATION:
        nestedValidation = true;
        break;
      default:
        throw new NotCompilable(`${cls.name}.${name}: rule type ${item.type}`);
    }
  }
  if (!nestedValidation) return { name, skips, rules };
  return {
    name,
    skips,
    rules,
    nested: planOf(nestedClass(`${cls.name}.${name}`, metadata), plans),
  };
}

/** The class IsNested / IsNestedArray name, read from their shape rule's schema (a `$ref`). */
function nestedClass(where: string, metadata: readonly ValidationMetadata[]): Constructor {
  const found = new Set<Constructor>();
  for (const item of metadata) {
    const constraint: unknown = item.constraints?.[0];
    if (item.type !== ValidationTypes.CUSTOM_VALIDATION || !(constraint instanceof SchemaHint))
      continue;
    try {
      constraint.toSchema((nested) => {
        found.add(nested);
        return {};
      });
    } catch {
      throw new NotCompilable(`${where}: a schema that does not build`);
    }
  }
  const [only, ...more] = found;
  if (only === undefined || more.length > 0)
    throw new NotCompilable(`${where}: not one nested class`);
  return only;
}
