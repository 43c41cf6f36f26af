import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DeadLetterPageDto, ListDeadLettersParamsDto } from './list-dead-letters.dto.js';
import { ListDeadLettersQuery } from './list-dead-letters.query.js';

@ApiTags('dead letters')
@ApiBearerAuth()
@Controller('api/tds/dead-letter')
export class ListDeadLettersController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Dead letters, newest first, keyset-paginated; filter by entity type, error code, open or closed' })
  @ApiResponse({ status: 200, type: DeadLetterPageDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown or malformed parameter, or a foreign cursor' })
  list(@Query() params: ListDeadLettersParamsDto): Promise<DeadLetterPageDto> {
    return this.queryBus.execute(new ListDeadLettersQuery(params));
  }
}
