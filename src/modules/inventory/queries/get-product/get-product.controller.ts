import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../../../shared/auth/auth.decorators.js';
import { ParseIdPipe } from '../../../../shared/validation/parse-id.pipe.js';
import { GetProductQuery } from './get-product.query.js';
import { ProductDetailDto } from '../product.dto.js';

@ApiTags('inventory')
@ApiBearerAuth()
@Controller('api/inventory/products')
export class GetProductController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One product with its stock per warehouse' })
  @ApiParam({ name: 'id', type: 'integer', description: 'Product id (the inventory id, not the source id)' })
  @ApiResponse({ status: 200, type: ProductDetailDto })
  @ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' })
  @ApiResponse({ status: 404, description: 'INVENTORY.PRODUCT_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'VALIDATION_FAILED: the id is not a positive integer' })
  get(@Param('id', ParseIdPipe) id: number): Promise<ProductDetailDto> {
    return this.queryBus.execute(new GetProductQuery(id));
  }
}
