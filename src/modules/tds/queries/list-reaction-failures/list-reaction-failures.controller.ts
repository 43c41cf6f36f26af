import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ListReactionFailuresParams, ReactionFailureDto } from './list-reaction-failures.dto.js';
import { ListReactionFailuresQuery } from './list-reaction-failures.query.js';

@ApiTags('reactions')
@ApiBearerAuth()
@Controller('api/tds/reaction-failures')
export class ListReactionFailuresController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Open failures of durable reactions (inventory, search, …): retrying, or exhausted' })
  @ApiResponse({ status: 200, type: [ReactionFailureDto] })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  list(@Query() params: ListReactionFailuresParams): Promise<ReactionFailureDto[]> {
    return this.queryBus.execute(new ListReactionFailuresQuery({ reaction: params.reaction, exhaustedOnly: params.exhausted, limit: params.limit }));
  }
}
