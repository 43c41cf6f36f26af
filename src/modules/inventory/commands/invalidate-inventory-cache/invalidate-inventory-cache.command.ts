import { Command } from '@nestjs/cqrs';

/** Drops cached inventory reads on every instance: the given product keys and, when `lists`, every list page. */
export class InvalidateInventoryCacheCommand extends Command<void> {
  constructor(
    readonly productIds: readonly number[],
    readonly lists: boolean,
  ) {
    super();
  }
}
