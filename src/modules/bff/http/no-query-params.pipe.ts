import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../../../shared/errors/domain-error.js';

/**
 * For routes that take no query parameters: one sent anyway is a 422 naming it, as a misspelt
 * filter is on the list routes, instead of an answer that looks filtered and is not.
 */
@Injectable()
export class NoQueryParamsPipe implements PipeTransform<Record<string, unknown>, void> {
  transform(query: Record<string, unknown>): void {
    const unknown = Object.keys(query ?? {});
    if (unknown.length) throw new ValidationFailedError(unknown.map((path) => ({ path, message: `property ${path} should not exist` })));
  }
}
