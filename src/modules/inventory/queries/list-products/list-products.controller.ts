import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ListProductsParamsDto, ProductPageDto } from './list-products.dto.js';
import { ListProductsQuery } from './list-products.query.js';

@ApiTags('inventory')
@ApiBearerAuth()
@Controller('api/inventory/products')
export class ListProductsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Products in id order, keyset-paginated; filter by SKU, active, name words' })
  @ApiResponse({ status: 200, type: ProductPageDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: an unknown or malformed parameter, or a foreign cursor' })
  list(@Query() params: ListProductsParamsDto): Promise<ProductPageDto> {
    return this.queryBus.execute(new ListProductsQuery(params));
  }
}
