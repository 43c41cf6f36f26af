import { randomUUID } from 'node:crypto';
import type { OnModuleInit } from '@nestjs/common';
import { CommandBus, EventBus, EventsHandler } from '@nestjs/cqrs';
import type { IEventHandler } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import { DurableReactions } from '../../../shared/reactions/durable-reactions.js';
import { TdsEntitiesSyncedEvent, TdsEntitySyncedEvent } from '../../tds/public.js';
import type { EntityChange } from '../../tds/public.js';
import { DeactivateProductsCommand } from '../commands/deactivate-products/deactivate-products.command.js';
import { SetStockLevelsCommand } from '../commands/set-stock-levels/set-stock-levels.command.js';
import { UpsertProductsCommand } from '../commands/upsert-products/upsert-products.command.js';
import { InventoryProductsChangedEvent } from '../events/inventory-products-changed.event.js';
import { CATALOGUE_ENTITY_TYPES, planCatalogue } from './zoho-product.mapping.js';

export const CATALOGUE_REACTION = 'inventory.catalogue';

/**
 * Keeps products and stock levels in step with the TDS mirror. A durable reaction: the batch's
 * writes commit with the receipts of its entity events, so a redelivered event does nothing,
 * and a failure is recorded for retry instead of thrown into the EventBus. Replaying every
 * event leaves the same state, because each write is version-guarded like the mirror.
 * Cache invalidation follows the commit, through InventoryProductsChangedEvent and its saga.
 */
@EventsHandler(TdsEntitiesSyncedEvent)
export class InventoryCatalogueReaction implements IEventHandler<TdsEntitiesSyncedEvent>, OnModuleInit {
  constructor(
    private readonly reactions: DurableReactions,
    private readonly commandBus: CommandBus,
    private readonly eventBus: EventBus,
  ) {}

  onModuleInit(): void {
    this.reactions.register({
      name: CATALOGUE_REACTION,
      eventTypes: TdsEntitySyncedEvent.types,
      entityTypes: CATALOGUE_ENTITY_TYPES,
    });
  }

  handle(event: TdsEntitiesSyncedEvent): Promise<void> {
    const relevant = (event.changes ?? []).filter((change) => CATALOGUE_ENTITY_TYPES.includes(change.entityType));
    if (relevant.length === 0) return Promise.resolve();
    return this.reactions.run(CATALOGUE_REACTION, relevant, (tx, fresh) => this.apply(tx, fresh));
  }

  private async apply(tx: QueryRunner, changes: EntityChange[]): Promise<void | (() => Promise<void>)> {
    const plan = planCatalogue(changes);
    // Products first: a level written in the same batch as its new product then finds its id.
    const upserted = await this.commandBus.execute(new UpsertProductsCommand(tx, plan.products));
    const deactivated = await this.commandBus.execute(new DeactivateProductsCommand(tx, plan.deactivations));
    const restocked = await this.commandBus.execute(new SetStockLevelsCommand(tx, plan.stockLevels));
    const productIds = [...new Set([...upserted, ...deactivated, ...restocked])];
    if (productIds.length === 0) return;
    const changed = new InventoryProductsChangedEvent({
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      correlationId: null,
      causationId: changes.length === 1 ? changes[0].eventId : null,
      productIds,
      listsChanged: upserted.length + deactivated.length > 0,
    });
    return async () => {
      this.eventBus.publish(changed);
    };
  }
}
