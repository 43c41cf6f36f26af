import { QueryHandler } from '@nestjs/cqrs';
import type { IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NotFoundError } from '../../../../shared/errors/domain-error.js';
import { APPLIED_STATUSES } from '../../domain/queue-item.js';
import { SyncQueueItemEntity } from '../../entities/sync-queue-item.entity.js';
import type { QueueItemDto } from './get-queue-item.dto.js';
import { GetQueueItemQuery } from './get-queue-item.query.js';

const toIso = (value: Date | null) => value?.toISOString() ?? null;

@QueryHandler(GetQueueItemQuery)
export class GetQueueItemHandler implements IQueryHandler<GetQueueItemQuery, QueueItemDto> {
  constructor(@InjectRepository(SyncQueueItemEntity) private readonly items: Repository<SyncQueueItemEntity>) {}

  async execute({ id }: GetQueueItemQuery): Promise<QueueItemDto> {
    const item = await this.items.findOneBy({ id });
    if (!item) throw new NotFoundError('QUEUE.ITEM_NOT_FOUND', `Queue item ${id} does not exist`);
    return {
      id: item.id,
      source: item.source,
      entityType: item.entityType,
      sourceEntityId: item.sourceEntityId,
      operation: item.operation,
      version: item.version,
      priority: item.priority,
      status: item.status,
      attempt: item.attempt,
      maxAttempts: item.maxAttempts,
      lastError: item.lastError,
      errorCode: item.errorCode,
      nextAttemptAt: item.nextAttemptAt.toISOString(),
      createdAt: item.createdAt.toISOString(),
      startedAt: toIso(item.startedAt),
      completedAt: toIso(item.completedAt),
      syncRunId: item.syncRunId,
      inboxEventId: item.inboxEventId,
      appliedVersion: APPLIED_STATUSES.includes(item.status) ? item.version : null,
    };
  }
}
