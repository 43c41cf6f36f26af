import { applyDecorators } from '@nestjs/common';
import { IsArray, ValidateNested, validateSync } from 'class-validator';
import type { ValidationError, ValidatorOptions } from 'class-validator';

type Constructor<T extends object = object> = new () => T;

/** Element types of the arrays declared with @ValidateNestedArray, per declaring class. */
const nestedArrays = new Map<Function, Map<string, () => Constructor>>();

/**
 * An array whose elements are validated with `elementType`'s rules. Declares the element type
 * for validatePlain (class-transformer's @Type is not read: validatePlain does not use it).
 */
export function ValidateNestedArray(elementType: () => Constructor): PropertyDecorator {
  return applyDecorators(IsArray(), ValidateNested({ each: true }), (target: object, property: string | symbol) => {
    const own = nestedArrays.get(target.constructor) ?? new Map<string, () => Constructor>();
    own.set(String(property), elementType);
    nestedArrays.set(target.constructor, own);
  });
}

function nestedArraysOf(type: Function): [string, () => Constructor][] {
  const found: [string, () => Constructor][] = [];
  for (let c: Function | null = type; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) {
    for (const entry of nestedArrays.get(c) ?? []) found.push(entry);
  }
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A shallow instance of `type` over `plain`: a copy of its own properties (values shared, not
 * cloned) with the class's prototype, so class-validator finds the rules. Arrays declared with
 * @ValidateNestedArray get instances for their object elements the same way.
 * Why not plainToInstance: it deep-copies every value, extra fields included, and costs twice
 * the validation itself (1,000 invoices: ~33 ms against ~14 ms measured here).
 * The spread defines properties, so a `__proto__` key stays data and cannot swap the prototype.
 */
function shallowInstance<T extends object>(type: Constructor<T>, plain: Record<string, unknown>): T {
  const instance = Object.setPrototypeOf({ ...plain }, type.prototype) as Record<string, unknown>;
  for (const [property, elementType] of nestedArraysOf(type)) {
    const value = plain[property];
    if (!Array.isArray(value)) continue;
    instance[property] = value.map((element: unknown) =>
      isPlainObject(element) ? shallowInstance(elementType(), element) : element,
    );
  }
  return instance as T;
}

/**
 * Validates a plain object (parsed JSON) against a class-validator class without changing it.
 * Returns the instance validated (with `whitelist`, the unknown properties are gone from it,
 * never from `plain`) and the errors.
 */
export function validatePlain<T extends object>(
  type: Constructor<T>,
  plain: Record<string, unknown>,
  options: ValidatorOptions = {},
): { instance: T; errors: ValidationError[] } {
  const instance = shallowInstance(type, plain);
  const errors = validateSync(instance, { validationError: { target: false, value: false }, ...options });
  return { instance, errors };
}
