import { applyDecorators } from '@nestjs/common';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoControlCharacters } from './control-characters.js';

/**
 * An optional filter matched as text (an entity type, an error code): when given, a non-empty
 * string of at most `maxLength` characters without control characters, so a bad one is a 422
 * naming it rather than a query PostgreSQL refuses.
 */
export const OptionalTextFilter = (maxLength: number) =>
  applyDecorators(IsOptional(), IsString(), IsNotEmpty(), MaxLength(maxLength), NoControlCharacters());
