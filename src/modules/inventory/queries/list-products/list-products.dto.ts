import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';
import { ProductDto } from '../product.dto.js';
import { KeysetPageQueryDto } from '../../../../shared/pagination/keyset-page-query.dto.js';

/** `true`/`false` as query strings carry them; anything else is left for @IsBoolean to refuse. */
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListProductsParamsDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({ description: 'Exact SKU', example: 'LAP-WH-15' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @NoControlCharacters()
  sku?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (true) or only inactive and deleted (false) products' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Words of the name, each matched as a prefix, all required', example: 'laptop dell' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @NoControlCharacters()
  @Matches(/[\p{L}\p{N}]/u, { message: 'q must contain a letter or a digit' })
  q?: string;

}

export class ProductPageDto {
  @ApiProperty({ type: [ProductDto], description: 'In id order' })
  items: ProductDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
