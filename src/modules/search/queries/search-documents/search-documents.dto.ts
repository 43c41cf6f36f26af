import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';
import { SEARCHABLE_TYPES } from '../../domain/search-document.js';
import type { SearchableType } from '../../domain/search-document.js';

export const MAX_QUERY_CHARS = 200;
export const MAX_SEARCH_LIMIT = 100;
export const DEFAULT_SEARCH_LIMIT = 20;

export class SearchDocumentsRequestDto {
  @ApiProperty({
    description: 'Full-text query, web-search syntax: words (all must match), "quoted phrase", OR, -excluded',
    example: 'laptop -black',
    minLength: 1,
    maxLength: MAX_QUERY_CHARS,
  })
  @IsString()
  @Length(1, MAX_QUERY_CHARS)
  @NoControlCharacters()
  @Matches(/\S/, { message: 'q must contain a non-space character' })
  q: string;

  @ApiPropertyOptional({ enum: SEARCHABLE_TYPES, description: 'Only records of this type' })
  @IsOptional()
  @IsIn(SEARCHABLE_TYPES, { message: `type must be one of: ${SEARCHABLE_TYPES.join(', ')}` })
  type?: SearchableType;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_SEARCH_LIMIT, default: DEFAULT_SEARCH_LIMIT })
  @IsOptional()
  // Query strings carry text: '20' becomes 20 before the checks ('abc' becomes NaN and fails them).
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SEARCH_LIMIT)
  limit?: number;
}

export class SearchResultDto {
  @ApiProperty({ enum: SEARCHABLE_TYPES, example: 'product' }) type: string;
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ description: "The record's id at the source", example: '4815000000044208' }) sourceId: string;
  @ApiProperty({ example: 'Laptop-white/15inch/dell' }) title: string;
  @ApiProperty({ description: 'Relevance (ts_rank); higher is better, title and code matches weigh most', example: 0.6079 }) rank: number;
  @ApiProperty({
    description: 'Plain-text excerpt of the body around the matched words (its start when only the title matched)',
    example: 'LAP-WHT-15\nJust a sample description.',
  })
  snippet: string;
}

export class SearchResultsDto {
  @ApiProperty({ type: [SearchResultDto], description: 'Best match first' })
  items: SearchResultDto[];
}
