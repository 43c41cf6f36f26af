import { createHash } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Roles } from '../../../../shared/auth/auth.decorators.js';
import type { Principal } from '../../../../shared/auth/principal.js';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import { BulkBodyLimit } from '../../../../shared/http/bulk-body-limit.decorator.js';
import { canonicalJson } from '../../../../shared/json/canonical-json.js';
import { forEachInSlices } from '../../../../shared/runtime/event-loop-slices.js';
import { hasControlCharacters } from '../../../../shared/validation/control-characters.js';
import { EnqueueItemsCommand } from './enqueue-items.command.js';
import type { IdempotencyClaim } from './enqueue-items.command.js';
import { EnqueueItemsRequestDto, EnqueueItemsResponseDto, MAX_ITEMS } from './enqueue-items.dto.js';
import { EnqueueItemsPipe } from './enqueue-items.pipe.js';
import type { EnqueueRequest } from './enqueue-items.pipe.js';

const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * The sha256 of canonicalJson(request), fed an item at a time with the event loop let go between
 * slices: the text of 10 MiB of items took ~150 ms at once. The same text as canonicalJson's, whose
 * array holds each item's own canonical JSON, and whose keys are the request's two, in sorted order.
 */
async function requestHash({ items, source }: EnqueueRequest): Promise<string> {
  const hash = createHash('sha256').update('{"items":[');
  await forEachInSlices(items, (item, index) => hash.update(index === 0 ? canonicalJson(item) : `,${canonicalJson(item)}`));
  return hash.update(`],"source":${canonicalJson(source)}}`).digest('hex');
}

/**
 * The key is per caller (API key). The hash covers the request as validated, defaults applied
 * and keys sorted, so a retry that reorders JSON keys or spells out a default is the same request.
 */
async function idempotencyClaim(key: string | undefined, principal: Principal, request: EnqueueRequest): Promise<IdempotencyClaim | undefined> {
  if (key === undefined) return undefined;
  // A client's bytes 0x80-0x9F arrive as C1 control characters (header values are read as latin1).
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || hasControlCharacters(key)) {
    throw new ValidationFailedError([
      {
        path: 'headers.idempotency-key',
        message: `Idempotency-Key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters, without control characters`,
      },
    ]);
  }
  return { apiKeyId: principal.keyId, key, requestHash: await requestHash(request) };
}

@ApiTags('queue')
@ApiBearerAuth()
@Controller('api/tds/queue')
export class EnqueueItemsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(202)
  @Roles('service')
  @BulkBodyLimit()
  @ApiOperation({
    summary: `Enqueue up to ${MAX_ITEMS} items as one bulk sync run`,
    description:
      'Every item is validated first (envelope and payload); one invalid item refuses the whole request and nothing is stored. ' +
      'Accepted items are queued in one transaction, in request order.',
  })
  @ApiBody({ type: EnqueueItemsRequestDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: `1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters without control characters, kept 24 h per API key: a retry with the same key and body gets the first response and enqueues nothing`,
  })
  @ApiResponse({ status: 202, type: EnqueueItemsResponseDto, description: 'Queued (or, with a reused Idempotency-Key, queued before: header Idempotent-Replayed: true)' })
  @ApiResponse({ status: 400, description: 'MALFORMED_JSON' })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: service or higher is needed' })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE: over TDS_BODY_LIMIT_BYTES (10 MiB by default)' })
  @ApiResponse({
    status: 422,
    description: 'VALIDATION_FAILED with details [{ path: "items[3].payload.sku", message }], or QUEUE.IDEMPOTENCY_KEY_REUSED',
  })
  async enqueue(
    @Body(EnqueueItemsPipe) request: EnqueueRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EnqueueItemsResponseDto> {
    const claim = await idempotencyClaim(idempotencyKey, principal, request);
    const { response, replayed } = await this.commandBus.execute(new EnqueueItemsCommand(request.source, request.items, claim));
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    return response;
  }
}
