import { Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ReindexAllCommand } from './reindex-all.command.js';
import { ReindexAllResponseDto } from './reindex-all.dto.js';

@ApiTags('search')
@ApiBearerAuth()
@Controller('api/search')
export class ReindexAllController {
  constructor(private readonly commandBus: CommandBus) {}

  /** Synchronous on purpose: an operator action, whose answer is the outcome. */
  @Post('reindex')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Rebuild the search documents from the TDS mirror',
    description:
      'Reads every product, customer, invoice and sales order of the mirror, page by page, and writes their documents ' +
      '(tombstones for deleted ones). Answers when done. Safe while syncing: a document never goes back to an older version.',
  })
  @ApiResponse({ status: 200, type: ReindexAllResponseDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: admin is needed' })
  reindex(): Promise<ReindexAllResponseDto> {
    return this.commandBus.execute(new ReindexAllCommand());
  }
}
