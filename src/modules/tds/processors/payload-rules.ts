import { IsEmail, ValidateBy, ValidateIf } from 'class-validator';
import type { ValidationArguments, ValidationOptions } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { hasControlCharacters } from '../../../shared/validation/control-characters.js';
import { parseTimestamp } from '../domain/version.js';

/**
 * Validation rules for Zoho-shaped payloads, shared by the per-entity DTOs.
 * Zoho's API documents ids as `long` and its examples send them as JSON numbers, while its
 * responses send them as strings: both are ids, and callers other than Zoho use strings.
 */
const MAX_ID_LENGTH = 200;

/** An id becomes a record's key (and a `GET /api/tds/entities/…/:id` path): the same text rule as the envelope's sourceEntityId. */
function isId(value: unknown): boolean {
  return typeof value === 'string'
    ? value.length > 0 && value.length <= MAX_ID_LENGTH && !hasControlCharacters(value)
    : Number.isSafeInteger(value) && (value as number) >= 0;
}

function idMessage(args?: ValidationArguments): string {
  return args?.value === undefined || args.value === null
    ? '$property is required'
    : `$property must be a non-empty string (at most ${MAX_ID_LENGTH} characters, without control characters) or a non-negative integer`;
}

/** An id of another record (a line item's `item_id`, an invoice's `customer_id`). */
export function IsId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isId', validator: { validate: isId, defaultMessage: idMessage } }, options);
}

/**
 * The record's own key (`item_id`, …). `always`: it is checked for every operation, deletes
 * included, while the other rules apply to creates and updates only (see ClassValidatedProcessor).
 */
export function IsKey(): PropertyDecorator {
  return IsId({ always: true });
}

/** A required text field: one message whether it is missing, empty or not a string. */
export function IsNonEmptyString(): PropertyDecorator {
  return ValidateBy({
    name: 'isNonEmptyString',
    validator: {
      validate: (value) => typeof value === 'string' && value.length > 0,
      defaultMessage: (args) =>
        args?.value === undefined || args.value === null ? '$property is required' : '$property must be a non-empty string',
    },
  });
}

/** A timestamp as Zoho writes them (`2025-11-18T02:02:51+0300`), or any ISO-8601 one with a zone. */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: (value) => typeof value === 'string' && parseTimestamp(value) !== undefined,
      defaultMessage: () => '$property must be an ISO-8601 timestamp with a zone, e.g. 2025-11-18T02:02:51+0300',
    },
  });
}

/** A calendar date, `YYYY-MM-DD`, that exists. */
export function IsDateOnly(): PropertyDecorator {
  return ValidateBy({
    name: 'isDateOnly',
    validator: {
      validate: (value) =>
        typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && parseTimestamp(`${value}T00:00:00Z`) !== undefined,
      defaultMessage: () => '$property must be a date, YYYY-MM-DD',
    },
  });
}

/** Zoho sends `""` for a value nobody entered: absent, null and empty all mean "none". */
const present = ValidateIf((_object, value) => value !== undefined && value !== null && value !== '');

/** An optional reference to another record (`currency_id`, a line's `item_id`). */
export function IsOptionalId(): PropertyDecorator {
  return applyDecorators(present, IsId());
}

export function IsOptionalEmail(): PropertyDecorator {
  return applyDecorators(present, IsEmail());
}
