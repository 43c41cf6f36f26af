import { NotFoundError } from '../../../../shared/errors/domain-error.js';

export class ProductNotFoundError extends NotFoundError {
  constructor(id: number) {
    super('INVENTORY.PRODUCT_NOT_FOUND', `Product ${id} does not exist`);
  }
}
