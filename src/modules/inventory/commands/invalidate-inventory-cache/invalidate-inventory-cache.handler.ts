import { Logger } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { AppCache } from '../../../../shared/cache/app-cache.js';
import { LIST_GENERATION_KEY, productCacheKey } from '../../cache/inventory-cache.keys.js';
import { InvalidateInventoryCacheCommand } from './invalidate-inventory-cache.command.js';

/**
 * Sent by a saga that awaits nothing: a failure is logged here and not retried, the entries'
 * TTL bounds how long they stay stale.
 */
@CommandHandler(InvalidateInventoryCacheCommand)
export class InvalidateInventoryCacheHandler implements ICommandHandler<InvalidateInventoryCacheCommand, void> {
  private readonly logger = new Logger(InvalidateInventoryCacheHandler.name);

  constructor(private readonly cache: AppCache) {}

  async execute({ productIds, lists }: InvalidateInventoryCacheCommand): Promise<void> {
    const keys = productIds.map(productCacheKey);
    if (lists) keys.push(LIST_GENERATION_KEY);
    if (keys.length === 0) return;
    try {
      await this.cache.invalidate(keys);
    } catch (error) {
      this.logger.warn(`inventory cache invalidation failed (entries expire by TTL): ${(error as Error).message}`);
    }
  }
}
