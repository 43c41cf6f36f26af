import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { InboxEventDto } from './get-inbox-event.dto.js';
import { GetInboxEventQuery } from './get-inbox-event.query.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('api/tds/inbox')
export class GetInboxEventController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One webhook delivery (inbox event) and the queue items it became' })
  @ApiParam({ name: 'id', type: 'integer', description: 'Inbox event id' })
  @ApiResponse({ status: 200, type: InboxEventDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 404, description: 'INBOX.NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  get(@Param('id', ParseIdPipe) id: number): Promise<InboxEventDto> {
    return this.queryBus.execute(new GetInboxEventQuery(id));
  }
}
