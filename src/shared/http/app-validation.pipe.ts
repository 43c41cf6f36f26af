import { Injectable, ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error.js';
import { flattenValidationErrors } from '../errors/flatten-validation-errors.js';

/** Unknown fields are refused rather than dropped, so a client's typo is a 422, not silently ignored data. */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
    });
  }

  /**
   * A path parameter reaches its own pipe (ParseIdPipe) as sent: converted here first,
   * `+'1\t'` and `+' 1'` would both be id 1, and the junk around it would never be seen.
   */
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}
