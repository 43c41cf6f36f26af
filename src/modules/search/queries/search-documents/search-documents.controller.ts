import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { SearchDocumentsRequestDto, SearchResultsDto } from './search-documents.dto.js';
import { SearchDocumentsQuery } from './search-documents.query.js';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/search')
export class SearchDocumentsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({
    summary: 'Full-text search over synced products, customers, invoices and sales orders',
    description:
      'PostgreSQL full-text search with web-search syntax: `laptop dell` (both words), `"sample description"` (phrase), ' +
      '`laptop OR desktop`, `laptop -black` (exclusion). Codes (SKU, invoice number) match as typed. Deleted records never appear.',
  })
  @ApiResponse({ status: 200, type: SearchResultsDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: q missing or over 200 characters, unknown type, limit outside 1-100' })
  search(@Query() request: SearchDocumentsRequestDto): Promise<SearchResultsDto> {
    return this.queryBus.execute(new SearchDocumentsQuery({ q: request.q, type: request.type, limit: request.limit }));
  }
}
