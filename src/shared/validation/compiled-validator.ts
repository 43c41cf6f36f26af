import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { MetadataStorage, ValidationArguments, ValidationError, ValidatorConstraintInterface } from 'class-validator';
import { nestedArraysOf, validatePlain } from './validate-plain.js';
import type { Constructor, ValidatePlainOptions } from './validate-plain.js';

/** The options the compiled check reads: the others (skipMissingProperties, …) would change what is refused. */
export type PlainValidatorOptions = Pick<ValidatePlainOptions, 'whitelist' | 'forbidNonWhitelisted' | 'groups' | 'maxArrayEntries'>;

type Check = (plain: Record<string, unknown>) => boolean;
type Metadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** A constraint with the arguments it is called with, made once and filled in per value: nothing is allocated per call. */
interface Rule {
  constraint: ValidatorConstraintInterface;
  args: ValidationArguments;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unsupported(type: Function, property: string, what: string): Error {
  return new Error(`The compiled validator does not read ${type.name}.${property}'s ${what}: add it there, or validate ${type.name} with validatePlain`);
}

/**
 * ValidateNested over an array declared with @ValidateNestedArray, as validatePlain runs it: at
 * most `maxArrayEntries` entries, each a plain object valid by the element type's rules.
 */
function entriesCheck(type: Function, property: string, options: PlainValidatorOptions): (value: unknown) => boolean {
  const elementType = nestedArraysOf(type).find(([name]) => name === property)?.[1];
  if (elementType === undefined) throw unsupported(type, property, '@ValidateNested without @ValidateNestedArray');
  const entry = compile(elementType(), options);
  const maxEntries = options.maxArrayEntries ?? Infinity;
  return (value) => {
    if (value === undefined) return true;
    if (!Array.isArray(value) || value.length > maxEntries) return false;
    // class-validator skips an undefined entry (a hole too).
    for (const element of value) if (element !== undefined && !(isPlainObject(element) && entry(element))) return false;
    return true;
  };
}

/** One property's rules, in ValidationExecutor's order: its conditions (@IsOptional, @ValidateIf), its constraints, its entries. */
function propertyCheck(type: Function, property: string, metadatas: Metadata[], options: PlainValidatorOptions): Check {
  const conditions: ((object: object, value: unknown) => boolean)[] = [];
  const rules: Rule[] = [];
  let entries: ((value: unknown) => boolean) | undefined;
  for (const metadata of metadatas) {
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        conditions.push(metadata.constraints[0]);
        break;
      case ValidationTypes.CUSTOM_VALIDATION:
        if (metadata.each || metadata.validateIf) throw unsupported(type, property, '`each` or `validateIf` option');
        for (const constraint of getMetadataStorage().getTargetValidatorConstraints(metadata.constraintCls)) {
          if (constraint.async) throw unsupported(type, property, `async constraint ${constraint.name}`);
          const args = { targetName: type.name, property, object: {}, value: undefined, constraints: metadata.constraints };
          rules.push({ constraint: constraint.instance, args });
        }
        break;
      case ValidationTypes.NESTED_VALIDATION:
        entries = entriesCheck(type, property, options);
        break;
      case ValidationTypes.WHITELIST:
        break;
      default:
        throw unsupported(type, property, `${metadata.type} rule`);
    }
  }
  return (plain) => {
    const value = plain[property];
    for (const condition of conditions) if (!condition(plain, value)) return true;
    for (const { constraint, args } of rules) {
      args.object = plain;
      args.value = value;
      if (!constraint.validate(value, args)) return false;
    }
    return entries === undefined || entries(value);
  };
}

/** Whether validatePlain(type, plain, options) would find no error; `false` may also mean "not sure". */
function compile(type: Function, options: PlainValidatorOptions): Check {
  const storage = getMetadataStorage();
  // Selected as ValidationExecutor selects them (validatePlain sets neither `always` nor `strictGroups`).
  const metadatas = storage.getTargetValidationMetadatas(type, '', false, false, options.groups);
  // forbidUnknownValues, on by default: an object of a class without rules (for these groups) is refused.
  if (metadatas.length === 0) return () => false;
  const byProperty = storage.groupByPropertyName(metadatas);
  const checks = Object.entries(byProperty).map(([property, list]) => propertyCheck(type, property, list, options));
  const known = new Set(Object.keys(byProperty));
  return (plain) => {
    // class-validator finds the rules through `object.constructor`: a field of that name hides them.
    if (Object.hasOwn(plain, 'constructor')) return false;
    // A field the class does not know is left to validatePlain, which strips or refuses it.
    if (options.whitelist) for (const key in plain) if (!known.has(key)) return false;
    for (const check of checks) if (!check(plain)) return false;
    return true;
  };
}

/**
 * validatePlain for one class and options, with a fast accept: a check compiled once from the
 * class's class-validator rules (the same constraint functions, called directly) tells a valid
 * value without building instances or error objects, which cost most of the time on a bulk
 * enqueue. Any other value goes to validatePlain, which decides and writes the errors, so they
 * stay exactly class-validator's. The check never accepts what validatePlain refuses; it leaves an
 * odd value validatePlain accepts to it (a field named like an Object.prototype member under
 * `whitelist`), which test/…/fast-validator-equivalence.spec.ts shows.
 */
export class PlainValidator<T extends object> {
  private readonly check: Check;

  constructor(
    private readonly type: Constructor<T>,
    private readonly options: PlainValidatorOptions = {},
  ) {
    this.check = compile(type, options);
  }

  /** Whether the compiled check alone finds `plain` valid. */
  accepts(plain: Record<string, unknown>): boolean {
    return this.check(plain);
  }

  /** As validatePlain. A value the check accepts is its own instance: valid, it has no field to strip. */
  validate(plain: Record<string, unknown>): { instance: T; errors: ValidationError[] } {
    return this.check(plain) ? { instance: plain as T, errors: [] } : validatePlain(this.type, plain, this.options);
  }
}
