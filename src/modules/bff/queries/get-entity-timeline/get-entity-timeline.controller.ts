import { Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { GetEntityTimelineQuery } from '../../../tds/public.js';
import type { EntityTimeline } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { timelineTitle } from '../../domain/timeline-title.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { DEFAULT_TIMELINE_EVENTS, EntityTimelineDto, EntityTimelineParamsDto, EntityTimelineQueryDto } from './get-entity-timeline.dto.js';

function toTimeline({ entityType, sourceEntityId, current, events }: EntityTimeline): EntityTimelineDto {
  return {
    entityType,
    sourceEntityId,
    // The record's data is the mirror's business, not the sync history's.
    current: current && {
      source: current.source,
      version: current.version,
      deleted: current.deleted,
      syncedAt: current.syncedAt,
      contentHash: current.contentHash,
    },
    events: events.map((event) => ({
      at: event.at,
      kind: event.kind,
      title: timelineTitle(event),
      version: event.version,
      errorCode: event.errorCode,
      message: event.message,
      refs: event.refs,
    })),
  };
}

@BffController()
export class BffGetEntityTimelineController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
  ) {}

  @Get('entities/:entityType/:sourceEntityId')
  @Roles('viewer')
  @ApiOperation({
    summary: "One record's sync timeline, newest first: deliveries, attempts, versions applied or superseded, dead letters, receipts",
  })
  @ApiResponse({ status: 200, type: EntityTimelineDto })
  @BffReadResponses()
  @ApiResponse({ status: 404, description: 'ENTITY.NOT_FOUND: TDS has never seen the record' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: a malformed entity type, id or limit, or an unknown parameter' })
  get(@Param() { entityType, sourceEntityId }: EntityTimelineParamsDto, @Query() { limit }: EntityTimelineQueryDto): Promise<EntityTimelineDto> {
    const params = { entityType, sourceEntityId, limit: limit ?? DEFAULT_TIMELINE_EVENTS };
    return this.cache.read('entities', { timeline: params }, async () =>
      toTimeline(await this.queryBus.execute<GetEntityTimelineQuery, EntityTimeline>(new GetEntityTimelineQuery(params))),
    );
  }
}
