import { Injectable, Logger } from '@nestjs/common';
import { ofType, Saga } from '@nestjs/cqrs';
import type { ICommand, IEvent } from '@nestjs/cqrs';
import { EMPTY, type Observable, catchError, map, mergeMap, of } from 'rxjs';
import { InvalidateInventoryCacheCommand } from '../commands/invalidate-inventory-cache/invalidate-inventory-cache.command.js';
import { InventoryProductsChangedEvent } from '../events/inventory-products-changed.event.js';

/**
 * Changed products → cache invalidation. Nothing waits for it (the TTL is the backstop), which
 * is what a saga is for. Each event gets its own inner pipe that catches: an error thrown in
 * the saga's outer stream would complete it, and invalidation would stop until restart.
 */
@Injectable()
export class InventoryCacheSaga {
  private readonly logger = new Logger(InventoryCacheSaga.name);

  @Saga()
  invalidateChangedProducts = (events$: Observable<IEvent>): Observable<ICommand> =>
    events$.pipe(
      ofType(InventoryProductsChangedEvent),
      mergeMap((event) =>
        of(event).pipe(
          map(({ productIds, listsChanged }) => new InvalidateInventoryCacheCommand(productIds, listsChanged)),
          catchError((error: Error) => {
            this.logger.warn(`inventory cache invalidation skipped (entries expire by TTL): ${error.message}`);
            return EMPTY;
          }),
        ),
      ),
    );
}
