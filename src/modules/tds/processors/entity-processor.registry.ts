import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../shared/errors/domain-error.js';
import { CustomerProcessor } from './customer.processor.js';
import type { EntityProcessor } from './entity-processor.js';
import { InventoryAdjustmentProcessor } from './inventory-adjustment.processor.js';
import { InvoiceProcessor } from './invoice.processor.js';
import { PriceListProcessor } from './price-list.processor.js';
import { ProductProcessor } from './product.processor.js';
import { SalesOrderProcessor } from './sales-order.processor.js';
import { StockLevelProcessor } from './stock-level.processor.js';

export class UnknownEntityTypeError extends DomainError {
  constructor(entityType: string, known: readonly string[]) {
    super('QUEUE.UNKNOWN_ENTITY_TYPE', 422, `Unknown entity type "${entityType}"; known: ${known.join(', ')}`, {
      details: [{ path: 'entityType', message: `must be one of ${known.join(', ')}` }],
    });
  }
}

/** The entity types TDS syncs, each with its processor. Processors are stateless: one instance each. */
const PROCESSORS: readonly EntityProcessor[] = [
  new ProductProcessor(),
  new CustomerProcessor(),
  new InvoiceProcessor(),
  new SalesOrderProcessor(),
  new PriceListProcessor(),
  new StockLevelProcessor(),
  new InventoryAdjustmentProcessor(),
];

/** For static uses (DTO rules, API docs); at run time ask the registry. */
export const ENTITY_TYPES: readonly string[] = PROCESSORS.map((processor) => processor.entityType);

@Injectable()
export class EntityProcessorRegistry {
  private readonly byType = new Map(PROCESSORS.map((processor) => [processor.entityType, processor]));

  has(entityType: string): boolean {
    return this.byType.has(entityType);
  }

  get(entityType: string): EntityProcessor {
    const processor = this.byType.get(entityType);
    if (!processor) throw new UnknownEntityTypeError(entityType, this.types());
    return processor;
  }

  types(): string[] {
    return [...this.byType.keys()];
  }
}
