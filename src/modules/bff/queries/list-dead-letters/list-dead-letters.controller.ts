import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { DEFAULT_PAGE_SIZE } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { ListDeadLettersParamsDto, ListDeadLettersQuery } from '../../../tds/public.js';
import type { DeadLetterPageDto } from '../../../tds/public.js';
import { BffCache } from '../../cache/bff-cache.js';
import { BffController, BffReadResponses } from '../../http/bff-routes.js';
import { BffDeadLetterPageDto, toDeadLetter } from '../../views/dead-letter.dto.js';

@BffController()
export class BffListDeadLettersController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly cache: BffCache,
  ) {}

  @Get('dead-letter')
  @Roles('viewer')
  @ApiOperation({ summary: 'Dead letters, newest first, keyset-paginated; filter by entity type, error code, resolved (true: closed, false: open)' })
  @ApiResponse({ status: 200, type: BffDeadLetterPageDto })
  @BffReadResponses()
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown or malformed parameter, or a foreign cursor' })
  list(@Query() { entityType, errorCode, resolved, cursor, limit }: ListDeadLettersParamsDto): Promise<BffDeadLetterPageDto> {
    const params = { entityType, errorCode, resolved, cursor, limit: limit ?? DEFAULT_PAGE_SIZE };
    return this.cache.read('deadLetters', params, async () => {
      const page = await this.queryBus.execute<ListDeadLettersQuery, DeadLetterPageDto>(new ListDeadLettersQuery(params));
      return { items: page.items.map(toDeadLetter), nextCursor: page.nextCursor };
    });
  }
}
