import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../../shared/auth/auth.decorators.js';
import { GatedBody } from '../../../../shared/http/body-gates.js';
import { MergeRouteConfig } from '../../../../shared/http/route-config.js';
import { DeliveryMapper } from '../../ingestion/delivery.mapper.js';
import { deliveryIdempotencyKey, deliveryReplayKey } from '../../ingestion/delivery-idempotency.js';
import { WEBHOOK_CLOCK } from '../../ingestion/webhook-clock.js';
import type { Clock } from '../../ingestion/webhook-clock.js';
import { WEBHOOK_SIGNATURE_GATE, WebhookAuthenticator } from '../../ingestion/webhook-authenticator.js';
import type { IncomingDelivery } from '../../ingestion/webhook-delivery.js';
import { IngestWebhookCommand } from './ingest-webhook.command.js';
import type { IngestWebhookResult } from './ingest-webhook.command.js';
import { WebhookAcceptedDto, WebhookDuplicateDto } from './ingest-webhook.dto.js';

@ApiTags('webhooks')
@Controller('api/tds/webhooks')
export class IngestWebhookController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly authenticator: WebhookAuthenticator,
    private readonly mapper: DeliveryMapper,
    @Inject(WEBHOOK_CLOCK) private readonly now: Clock,
  ) {}

  /**
   * The checks run cheapest first, and everything before the command stores nothing: a
   * delivery that is not authenticated is refused before its body is parsed (the route's body
   * gate, WebhookAuthenticator) and never reaches the database.
   */
  @Post(':source')
  // Authenticated by the source's HMAC signature instead of an API key.
  @Public()
  @HttpCode(202)
  // No browser reads these answers, so the browser-protection headers are left off: @fastify/helmet
  // rebuilds them for every response, ~6% of this route's CPU at full load.
  @MergeRouteConfig({ helmet: { skipRoute: true } })
  @GatedBody(WEBHOOK_SIGNATURE_GATE)
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
  @ApiResponse({ status: 400, description: 'MALFORMED_JSON, JSON_TOO_DEEP' })
  @ApiResponse({ status: 401, description: 'WEBHOOK.MISSING_SIGNATURE, WEBHOOK.INVALID_SIGNATURE, WEBHOOK.*_TIMESTAMP, WEBHOOK.NO_SECRET_CONFIGURED, WEBHOOK.UNSIGNED_DELETE; nothing is stored' })
  @ApiResponse({ status: 404, description: 'WEBHOOK.UNKNOWN_SOURCE' })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE: over TDS_DEFAULT_BODY_LIMIT_BYTES (1 MiB by default)' })
  @ApiResponse({ status: 415, description: 'UNSUPPORTED_MEDIA_TYPE: JSON only' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED with the field errors; the delivery is kept as an invalid inbox event' })
  @ApiResponse({ status: 429, description: 'WEBHOOK.RATE_LIMITED (the source is over its rate) or WEBHOOK.TOO_MANY_FAILURES (this address keeps failing authentication), with Retry-After (seconds)' })
  @ApiResponse({
    status: 503,
    description:
      'Not stored now, retry (Retry-After): INBOX.BUSY (too many deliveries waiting), INBOX.UNAVAILABLE (the database failed), ' +
      'INBOX.SHUTTING_DOWN (the instance is stopping; a delivery being written may be stored after all, its retry is then a duplicate)',
  })
  async ingest(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IngestWebhookResult> {
    // A request without a body has none to sign: its signature is checked against nothing.
    const rawBody = request.rawBody ?? Buffer.alloc(0);
    const delivery: IncomingDelivery = {
      source: this.authenticator.authenticate(request, rawBody),
      rawBody,
      body: request.body,
      headers: request.headers,
      query: request.query as IncomingDelivery['query'],
      receivedAt: this.now(),
    };
    const mapping = this.mapper.map(delivery);
    const mapped = mapping.ok ? mapping.delivery : undefined;
    const command = new IngestWebhookCommand(delivery, mapping, deliveryIdempotencyKey(delivery, mapped), deliveryReplayKey(delivery, mapped));
    const result = await this.commandBus.execute(command);
    if ('duplicate' in result) void reply.status(200);
    return result;
  }
}
