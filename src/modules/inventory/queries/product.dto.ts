import { ApiProperty } from '@nestjs/swagger';

/** A product of the inventory read model, as lists and the detail show it. */
export class ProductDto {
  @ApiProperty({ example: 17 }) id: number;
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ description: "The source's id (Zoho item_id)", example: '4815000000044208' }) sourceId: string;
  @ApiProperty({ type: String, nullable: true, example: 'LAP-WH-15' }) sku: string | null;
  @ApiProperty({ description: 'Empty for a product known only as deleted', example: 'Laptop-white/15inch/dell' }) name: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Selling rate (4 decimals)', example: 122 }) price: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'qty' }) unit: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The source's status (Zoho: active / inactive)", example: 'active' })
  status: string | null;
  @ApiProperty({ description: 'Not deleted and active at the source' }) active: boolean;
  @ApiProperty({ description: 'Deleted at the source (the row stays, inactive)' }) deleted: boolean;
  @ApiProperty({ description: 'Version of the source record (epoch ms for timestamp versions)', example: 1763420571000 }) version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class StockLevelDto {
  @ApiProperty({ example: '4815000000035071' }) warehouseId: string;
  @ApiProperty({ type: String, nullable: true, example: 'Main' }) warehouseName: string | null;
  @ApiProperty({ example: 20 }) onHand: number;
  @ApiProperty({ type: Number, nullable: true, example: 18 }) available: number | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ProductDetailDto extends ProductDto {
  @ApiProperty({ type: [StockLevelDto], description: 'Per warehouse, levels deleted at the source left out' })
  stockLevels: StockLevelDto[];
}
