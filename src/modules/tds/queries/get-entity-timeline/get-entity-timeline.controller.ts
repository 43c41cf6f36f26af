import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { TdsEntityTimelineDto, EntityTimelineParamsDto, EntityTimelineQueryDto } from './get-entity-timeline.dto.js';
import { GetEntityTimelineQuery } from './get-entity-timeline.query.js';

@ApiTags('entities')
@ApiBearerAuth()
@Controller('api/tds/entities')
export class GetEntityTimelineController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':entityType/:sourceEntityId')
  @Roles('viewer')
  @ApiOperation({
    summary: "One record's sync timeline, newest first: deliveries, queue items and their outcomes, failed attempts, dead letters",
  })
  @ApiResponse({ status: 200, type: TdsEntityTimelineDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 404, description: 'ENTITY.NOT_FOUND: nothing of this record is kept (never received, or removed by retention)' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown entity type, a bad id, a limit outside 1-500, or an unknown parameter' })
  get(@Param() { entityType, sourceEntityId }: EntityTimelineParamsDto, @Query() { limit }: EntityTimelineQueryDto): Promise<TdsEntityTimelineDto> {
    return this.queryBus.execute(new GetEntityTimelineQuery({ entityType, sourceEntityId, limit }));
  }
}
