import { Injectable, ValidationPipe } from '@nestjs/common';
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
}
