import type { ValidationError } from 'class-validator';
import type { FieldError } from './domain-error.js';

function join(prefix: string, error: ValidationError): string {
  const property = String(error.property ?? '');
  // class-validator reports an array element as a child whose target is the array itself;
  // without targets (`validationError.target: false`) a numeric property is taken as an index.
  const isIndex = /^\d+$/.test(property) && (error.target === undefined || Array.isArray(error.target));
  if (isIndex) return `${prefix}[${property}]`;
  if (property === '') return prefix;
  return prefix === '' ? property : `${prefix}.${property}`;
}

/**
 * Turns class-validator's error tree into one entry per failed constraint, addressed by path:
 * `items[3].payload.sku`. `prefix` roots the paths when validating a fragment, e.g. `items[3]`.
 */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = join(prefix, error);
    for (const message of Object.values(error.constraints ?? {})) out.push({ path, message });
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}
