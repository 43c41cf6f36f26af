import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { PullConfig } from '../../../shared/config/pull.config.js';
import { parseTimestamp } from '../domain/version.js';
import { deliveryIdempotencyKey, deliveryReplayKey } from '../ingestion/delivery-idempotency.js';
import { toInboxRecord } from '../ingestion/inbox-record.js';
import type { InboxRecord } from '../ingestion/inbox-record.js';
import type { IncomingDelivery, WebhookSource } from '../ingestion/webhook-delivery.js';
import { WebhookSourceRegistry } from '../ingestion/webhook-source.registry.js';
import { ZohoDeliveryMapper } from '../ingestion/zoho-delivery.mapper.js';

/** Who wrote a pulled record: kept in its inbox row's headers, as a webhook delivery keeps its sender's. */
export interface PullWriter {
  syncRunId: number;
  leaseToken: string;
  instanceId: string;
}

export interface MappedPage {
  records: InboxRecord[];
  /** The oldest and newest `last_modified_time` on the page, epoch ms; undefined when no record has one (price books). */
  oldestAt: number | undefined;
  newestAt: number | undefined;
}

/**
 * A pulled record becomes exactly what a Zoho webhook delivery of it would: the body
 * `{ "<module>": record }` goes through the same mapper (validation, stock levels, version),
 * the same idempotency and replay keys, and the same inbox row, so a record seen by webhook and
 * by pull is stored once and an invalid one is kept for audit with its errors. Pulled records
 * are updates: a list holds the records that exist (whether one is new is decided when it is
 * applied). The source is the webhook source of that name when one is configured, so the keys
 * match its deliveries; else one of the same shape that nothing can sign for.
 */
@Injectable()
export class PullRecordMapper {
  private readonly priority: number;

  constructor(
    private readonly mapper: ZohoDeliveryMapper,
    private readonly sources: WebhookSourceRegistry,
    config: ConfigService,
  ) {
    this.priority = config.getOrThrow<PullConfig>('pull').priority;
  }

  map(sourceName: string, module: string, records: readonly Record<string, unknown>[], writer: PullWriter): MappedPage {
    const source = this.source(sourceName);
    const receivedAt = Date.now();
    const headers = {
      'x-tds-sync-run': String(writer.syncRunId),
      'x-tds-lease-token': writer.leaseToken,
      'x-tds-instance': writer.instanceId,
    };
    let oldestAt: number | undefined;
    let newestAt: number | undefined;
    const mapped = records.map((record) => {
      const body = { [module]: record };
      const rawBody = Buffer.from(JSON.stringify(body));
      const delivery: IncomingDelivery = { source, rawBody, body, headers: {}, query: {}, receivedAt };
      const mapping = this.mapper.map(delivery);
      const at = typeof record.last_modified_time === 'string' ? parseTimestamp(record.last_modified_time) : undefined;
      if (at !== undefined && (newestAt === undefined || at > newestAt)) newestAt = at;
      if (at !== undefined && (oldestAt === undefined || at < oldestAt)) oldestAt = at;
      const understood = mapping.ok ? mapping.delivery : undefined;
      const inbox = toInboxRecord({
        delivery,
        mapping,
        idempotencyKey: deliveryIdempotencyKey(delivery, understood),
        replayKey: deliveryReplayKey(delivery, understood),
      });
      return {
        ...inbox,
        headers,
        signatureVerified: false,
        items: inbox.items.map((item) => ({ ...item, priority: this.priority })),
      };
    });
    return { records: mapped, oldestAt, newestAt };
  }

  private source(name: string): WebhookSource {
    const configured = this.sources.get(name);
    if (configured?.shape === 'zoho') return configured;
    return { name, shape: 'zoho', secrets: [], signatureHeader: 'x-zoho-webhook-signature', signedContent: 'query+body', rateLimit: 0 };
  }
}
