import { createHmac } from 'node:crypto';
import { ConfigService } from '@nestjs/config';
import { ingestConfig } from '../../../../src/shared/config/ingest.config.js';
import type { WebhooksConfig } from '../../../../src/shared/config/webhooks.config.js';
import { EnqueueItemsPipe } from '../../../../src/modules/tds/commands/enqueue-items/enqueue-items.pipe.js';
import { DeliveryMapper } from '../../../../src/modules/tds/ingestion/delivery.mapper.js';
import { GenericDeliveryMapper } from '../../../../src/modules/tds/ingestion/generic-delivery.mapper.js';
import type { IncomingDelivery, WebhookSource } from '../../../../src/modules/tds/ingestion/webhook-delivery.js';
import { ZohoDeliveryMapper } from '../../../../src/modules/tds/ingestion/zoho-delivery.mapper.js';
import { EntityProcessorRegistry } from '../../../../src/modules/tds/processors/entity-processor.registry.js';

/** Test-only secrets. */
export const SECRET = 'zoho-secret-0123456789';
export const OTHER_SECRET = 'rotated-secret-9876543210';

/** A fixed clock: 2025-11-18T00:00:00Z. */
export const NOW_MS = Date.UTC(2025, 10, 18);

export function zohoSource(overrides: Partial<WebhookSource> = {}): WebhookSource {
  return {
    name: 'zoho',
    shape: 'zoho',
    secrets: [SECRET],
    signatureHeader: 'x-zoho-webhook-signature',
    signedContent: 'body',
    rateLimit: 20000,
    ...overrides,
  };
}

export function genericSource(overrides: Partial<WebhookSource> = {}): WebhookSource {
  return zohoSource({ name: 'generic', shape: 'generic', signatureHeader: 'x-tds-signature', deliveryIdHeader: 'x-tds-delivery-id', ...overrides });
}

/** A delivery of `body` as a client would send it: raw bytes are the JSON text. */
export function delivery(source: WebhookSource, body: unknown, more: Partial<IncomingDelivery> = {}): IncomingDelivery {
  return { source, rawBody: Buffer.from(JSON.stringify(body)), body, headers: {}, query: {}, receivedAt: NOW_MS, ...more };
}

export function hmac(secret: string, content: string | Buffer, encoding: 'hex' | 'base64' | 'base64url' = 'hex'): string {
  return createHmac('sha256', secret).update(content).digest(encoding);
}

export function configService(config: Partial<WebhooksConfig> = {}): ConfigService {
  return new ConfigService({ webhooks: { sources: [zohoSource(), genericSource()], timestampToleranceS: 300, failedAuthRateLimit: 10, replayWindowS: 86400, ...config } });
}

export function deliveryMapper(): DeliveryMapper {
  const registry = new EntityProcessorRegistry();
  const config = new ConfigService({ ingest: ingestConfig() });
  return new DeliveryMapper(new ZohoDeliveryMapper(registry, config), new GenericDeliveryMapper(new EnqueueItemsPipe(registry)));
}

/** The error a function throws (fails the test when it throws none). */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}
