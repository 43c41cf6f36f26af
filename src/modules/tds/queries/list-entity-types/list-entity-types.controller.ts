import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ValidationFailedError } from '../../../../shared/errors/domain-error.js';
import { EntityTypeStatusDto } from './list-entity-types.dto.js';
import { ListEntityTypesQuery } from './list-entity-types.query.js';

@ApiTags('entities')
@ApiBearerAuth()
@Controller('api/tds/entity-types')
export class ListEntityTypesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Per entity type: mirrored records, backlog, open dead letters, last success, last 24 h outcomes' })
  @ApiResponse({ status: 200, type: [EntityTypeStatusDto] })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown parameter (this route takes none)' })
  list(@Query() query: Record<string, unknown>): Promise<EntityTypeStatusDto[]> {
    // No DTO to refuse them (class-validator rejects a class without rules outright), and a
    // parameter silently ignored would look like a filter that worked.
    const unknown = Object.keys(query);
    if (unknown.length) throw new ValidationFailedError(unknown.map((path) => ({ path, message: `property ${path} should not exist` })));
    return this.queryBus.execute(new ListEntityTypesQuery());
  }
}
