import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error.js';

/**
 * A route's numeric id (a bigint identity column): a positive integer small enough to be exact
 * in JS. ParseIntPipe would let `1e30`-sized digit strings through to PostgreSQL, which then
 * fails with "out of range" (a 500); here they are a 422 like any invalid input.
 * The value may arrive as a number already: the global ValidationPipe (`transform`) converts
 * primitives by the parameter's type before this pipe runs.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string | number, number> {
  transform(value: string | number, { data }: ArgumentMetadata): number {
    const text = String(value);
    const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isSafeInteger(id)) return id;
    const name = data ?? 'id';
    throw new ValidationFailedError([{ path: name, message: `${name} must be a positive integer` }]);
  }
}
