import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ingestConfig } from '../../../shared/config/ingest.config.js';
import type { IngestConfig } from '../../../shared/config/ingest.config.js';
import { DomainError } from '../../../shared/errors/domain-error.js';
import type { PayloadLimits } from './class-validated-processor.js';
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

/** The entity types TDS syncs, each with its processor, which validates payloads within `limits`. */
function createProcessors(limits: PayloadLimits): EntityProcessor[] {
  return [
    new ProductProcessor(limits),
    new CustomerProcessor(limits),
    new InvoiceProcessor(limits),
    new SalesOrderProcessor(limits),
    new PriceListProcessor(limits),
    new StockLevelProcessor(limits),
    new InventoryAdjustmentProcessor(limits),
  ];
}

/** For static uses (DTO rules, API docs); at run time ask the registry. The types do not depend on the limits. */
export const ENTITY_TYPES: readonly string[] = createProcessors({ maxArrayEntries: Infinity }).map((processor) => processor.entityType);

/** One stateless processor per entity type, made at boot with the configured payload limits. */
@Injectable()
export class EntityProcessorRegistry {
  private readonly byType: ReadonlyMap<string, EntityProcessor>;

  /** Without a ConfigService (a registry made by hand, as tests do), the limits are read from the environment as at boot. */
  constructor(config: ConfigService = new ConfigService({ ingest: ingestConfig() })) {
    const { maxArrayEntries } = config.getOrThrow<IngestConfig>('ingest');
    this.byType = new Map(createProcessors({ maxArrayEntries }).map((processor) => [processor.entityType, processor]));
  }

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
