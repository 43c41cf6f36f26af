import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error.js';

/**
 * A route's numeric id (a bigint identity column): a positive integer small enough to be exact
 * in JS. ParseIntPipe would let `1e30`-sized digit strings through to PostgreSQL, which then
 * fails with "out of range" (a 500); here they are a 422 like any invalid input.
 * It reads the text as sent (AppValidationPipe leaves path parameters alone), so whitespace or a
 * control character around the digits is refused too.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string, { data }: ArgumentMetadata): number {
    const id = /^[1-9]\d{0,15}$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(id)) return id;
    const name = data ?? 'id';
    throw new ValidationFailedError([{ path: name, message: `${name} must be a positive integer` }]);
  }
}
