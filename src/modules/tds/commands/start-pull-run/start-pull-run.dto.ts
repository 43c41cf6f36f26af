import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ZOHO_ENTITY_TYPES } from '../../sources/zoho/zoho-entity-types.js';

const NAME = /^[a-z][a-z0-9_]*$/;

export class StartPullRunDto {
  @ApiProperty({ example: 'zoho', description: 'The source its records are stored under (TDS_ZOHO_<ACCOUNT>_SOURCE, default zoho)' })
  @IsString()
  @Length(1, 64)
  @Matches(NAME, { message: 'source must be a lower-case name (a-z, 0-9, _)' })
  source: string;

  @ApiProperty({ enum: ZOHO_ENTITY_TYPES, example: 'product' })
  @IsIn(ZOHO_ENTITY_TYPES, { message: `entityType must be one of ${ZOHO_ENTITY_TYPES.join(', ')}` })
  entityType: string;

  @ApiProperty({ enum: ['full', 'incremental'], example: 'incremental', description: 'full: every record; incremental: changed since the cursor' })
  @IsIn(['full', 'incremental'], { message: 'mode must be full or incremental' })
  mode: 'full' | 'incremental';

  @ApiPropertyOptional({ example: 'main', description: "The account (TDS_ZOHO_ACCOUNTS); optional when the source has one" })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(NAME, { message: 'account must be a lower-case name (a-z, 0-9, _)' })
  account?: string;
}
