import { Controller, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { NotFoundError } from '../../../../shared/errors/domain-error.js';
import { DeliveryMapper } from '../../ingestion/delivery.mapper.js';
import { deliveryIdempotencyKey } from '../../ingestion/delivery-idempotency.js';
import { WEBHOOK_CLOCK } from '../../ingestion/webhook-clock.js';
import type { Clock } from '../../ingestion/webhook-clock.js';
import type { IncomingDelivery } from '../../ingestion/webhook-delivery.js';
import { WebhookRateLimiter } from '../../ingestion/webhook-rate.limiter.js';
import { WebhookSignatureVerifier } from '../../ingestion/webhook-signature.verifier.js';
import { WebhookSourceRegistry } from '../../ingestion/webhook-source.registry.js';
import { IngestWebhookCommand } from './ingest-webhook.command.js';
import type { IngestWebhookResult } from './ingest-webhook.command.js';
import { WebhookAcceptedDto, WebhookDuplicateDto } from './ingest-webhook.dto.js';

export class UnknownWebhookSourceError extends NotFoundError {
  constructor() {
    super('WEBHOOK.UNKNOWN_SOURCE', 'No webhook source by this name is configured (TDS_SOURCES)');
  }
}

@ApiTags('webhooks')
@Controller('api/tds/webhooks')
export class IngestWebhookController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly sources: WebhookSourceRegistry,
    private readonly rateLimiter: WebhookRateLimiter,
    private readonly verifier: WebhookSignatureVerifier,
    private readonly mapper: DeliveryMapper,
    @Inject(WEBHOOK_CLOCK) private readonly now: Clock,
  ) {}

  /**
   * The checks run cheapest first, and everything before the command stores nothing: a
   * delivery that is not authenticated never reaches the database.
   */
  @Post(':source')
  // Authenticated by the source's HMAC signature instead of an API key.
  @Public()
  @HttpCode(202)
  // No browser reads these answers, so the browser-protection headers are left off: @fastify/helmet
  // rebuilds them for every response, ~6% of this route's CPU at full load.
  @RouteConfig({ helmet: { skipRoute: true } })
  @ApiSecurity({})
  @ApiOperation({
    summary: 'Ingest one webhook delivery from a configured source (Zoho, or the generic envelope)',
    description:
      'Signed with HMAC-SHA256 of the raw body (or of the sorted query then the body, per source) with one of the source\'s secrets. ' +
      'Answered only once the delivery and its queue items are committed. A redelivery is a 200 duplicate; ' +
      'a delivery that fails validation is kept for audit as an invalid inbox event and answered 422, again on every redelivery.',
  })
  @ApiParam({ name: 'source', description: 'A source named in TDS_SOURCES', example: 'zoho' })
  @ApiQuery({ name: 'event', required: false, description: 'Zoho: the event the webhook URL was configured with; a delete must be signed', example: 'item.updated' })
  @ApiHeader({ name: 'X-Zoho-Webhook-Signature', required: false, description: 'zoho: HMAC-SHA256, hex or base64 (the header name is configurable per source)' })
  @ApiHeader({ name: 'X-TDS-Signature', required: false, description: 'generic: HMAC-SHA256, hex or base64' })
  @ApiHeader({ name: 'X-TDS-Delivery-Id', required: false, description: 'generic: the delivery id, used as the idempotency key' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    description: 'zoho: the record under its module key, e.g. {"item": {...}}; generic: {entityType, sourceEntityId, operation, version, payload}',
  })
  @ApiExtraModels(WebhookAcceptedDto, WebhookDuplicateDto)
  @ApiResponse({ status: 202, type: WebhookAcceptedDto, description: 'Committed and queued' })
  @ApiResponse({ status: 200, schema: { $ref: getSchemaPath(WebhookDuplicateDto) }, description: 'A redelivery: stored before, nothing new stored' })
  @ApiResponse({ status: 400, description: 'MALFORMED_JSON' })
  @ApiResponse({ status: 401, description: 'WEBHOOK.MISSING_SIGNATURE, WEBHOOK.INVALID_SIGNATURE, WEBHOOK.*_TIMESTAMP, WEBHOOK.NO_SECRET_CONFIGURED, WEBHOOK.UNSIGNED_DELETE; nothing is stored' })
  @ApiResponse({ status: 404, description: 'WEBHOOK.UNKNOWN_SOURCE' })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE: over TDS_DEFAULT_BODY_LIMIT_BYTES (1 MiB by default)' })
  @ApiResponse({ status: 415, description: 'UNSUPPORTED_MEDIA_TYPE: JSON only' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED with the field errors; the delivery is kept as an invalid inbox event' })
  @ApiResponse({ status: 429, description: 'WEBHOOK.RATE_LIMITED, with Retry-After (seconds)' })
  @ApiResponse({ status: 503, description: 'INBOX.UNAVAILABLE: the database could not store the delivery; nothing was kept, retry (Retry-After)' })
  async ingest(
    @Param('source') name: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestWebhookResult> {
    const source = this.sources.get(name);
    if (!source) throw new UnknownWebhookSourceError();
    this.rateLimiter.take(source.name);
    const delivery: IncomingDelivery = {
      source,
      // A request without a body has none to sign: its signature is checked against nothing.
      rawBody: request.rawBody ?? Buffer.alloc(0),
      body: request.body,
      headers: request.headers,
      query: request.query as IncomingDelivery['query'],
      receivedAt: this.now(),
    };
    this.verifier.verify(delivery);
    const mapping = this.mapper.map(delivery);
    const key = deliveryIdempotencyKey(delivery, mapping.ok ? mapping.delivery : undefined);
    const result = await this.commandBus.execute(new IngestWebhookCommand(delivery, mapping, key));
    if ('duplicate' in result) void reply.status(200);
    return result;
  }
}
