import { CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { QueryRunner } from 'typeorm';
import { queryRows } from '../../../../shared/database/sql.js';
import { DomainError } from '../../../../shared/errors/domain-error.js';
import { EnqueueItemsCommand } from './enqueue-items.command.js';
import type { EnqueueItemsResponse, EnqueueItemsResult, IdempotencyClaim } from './enqueue-items.command.js';
import { CREATE_SYNC_RUN_SQL } from '../../queue/create-sync-run.sql.js';
import { QueueItemInserter } from '../../queue/queue-item-inserter.js';
import {
  CLAIM_IDEMPOTENCY_KEY_SQL,
  READ_IDEMPOTENT_RESPONSE_SQL,
  RECORD_IDEMPOTENT_RESPONSE_SQL,
} from './enqueue-items.sql.js';

export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super(
      'QUEUE.IDEMPOTENCY_KEY_REUSED',
      422,
      'This Idempotency-Key was already used with a different request in the last 24 hours; use a new key for a new request',
    );
  }
}

/** Only accepted requests are stored under their key: a refused one enqueued nothing, so its retry is simply validated again. */
const ACCEPTED = 202;

@CommandHandler(EnqueueItemsCommand)
export class EnqueueItemsHandler implements ICommandHandler<EnqueueItemsCommand, EnqueueItemsResult> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: QueueItemInserter,
  ) {}

  execute(command: EnqueueItemsCommand): Promise<EnqueueItemsResult> {
    // Every statement goes through the transaction's runner: with a one-connection pool
    // (embedded PGlite) a DataSource query here would wait for this very transaction.
    return this.dataSource.transaction(async (manager) => {
      const db = manager.queryRunner as QueryRunner;
      const { idempotency } = command;
      if (idempotency) {
        const first = await this.claimKey(db, idempotency);
        if (first) return { response: first, replayed: true };
      }
      const response = await this.enqueue(db, command);
      if (idempotency) {
        await queryRows(db, RECORD_IDEMPOTENT_RESPONSE_SQL, [
          idempotency.apiKeyId,
          idempotency.key,
          ACCEPTED,
          JSON.stringify(response),
        ]);
      }
      return { response, replayed: false };
    });
  }

  /** Undefined when the key is ours to use; else the response of the key's first request. */
  private async claimKey(db: QueryRunner, { apiKeyId, key, requestHash }: IdempotencyClaim) {
    const claimed = await queryRows(db, CLAIM_IDEMPOTENCY_KEY_SQL, [apiKeyId, key, requestHash]);
    if (claimed.length > 0) return undefined;
    const [first] = await queryRows<{ requestHash: string; response: EnqueueItemsResponse }>(
      db,
      READ_IDEMPOTENT_RESPONSE_SQL,
      [apiKeyId, key],
    );
    if (first.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
    return first.response;
  }

  private async enqueue(db: QueryRunner, { source, items }: EnqueueItemsCommand): Promise<EnqueueItemsResponse> {
    const types = new Set(items.map((item) => item.entityType));
    const [run] = await queryRows<{ id: string | number }>(db, CREATE_SYNC_RUN_SQL, [
      'bulk',
      source,
      types.size === 1 ? items[0].entityType : null,
      items.length,
    ]);
    const syncRunId = Number(run.id);
    const queueItemIds = await this.queue.insert(db, items.map((item) => ({ ...item, source, syncRunId })));
    return { syncRunId, queueItemIds };
  }
}
