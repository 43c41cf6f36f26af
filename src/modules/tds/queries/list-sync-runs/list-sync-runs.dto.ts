import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { OptionalTextFilter } from '../../../../shared/validation/text-filter.decorator.js';
import { SYNC_RUN_KINDS, SYNC_RUN_STATUSES, SyncRunDto } from '../get-sync-run/get-sync-run.dto.js';
import { KeysetPageQueryDto } from '../../../../shared/pagination/keyset-page-query.dto.js';

/**
 * A timestamp with a time and an offset: the calendar check (IsISO8601 strict) alone also
 * passes week and ordinal dates ("2026-W49-4"), which PostgreSQL cannot read (a 500), and a
 * date without an offset would be read in the session's time zone.
 */
const TIMESTAMP = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export class ListSyncRunsParamsDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({ enum: SYNC_RUN_STATUSES })
  @IsOptional()
  @IsIn(SYNC_RUN_STATUSES)
  status?: (typeof SYNC_RUN_STATUSES)[number];

  @ApiPropertyOptional({ enum: SYNC_RUN_KINDS })
  @IsOptional()
  @IsIn(SYNC_RUN_KINDS)
  kind?: (typeof SYNC_RUN_KINDS)[number];

  @ApiPropertyOptional({ description: 'Only runs of this entity type', example: 'product' })
  @OptionalTextFilter(100)
  entityType?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only runs started at or after this instant (ISO-8601 with an offset)', example: '2026-12-03T00:00:00Z' })
  @IsOptional()
  @IsString()
  @Matches(TIMESTAMP, { message: 'since must be an ISO-8601 timestamp with a time and an offset, e.g. 2026-12-03T10:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'since must be a valid date and time' })
  since?: string;

}

export class SyncRunPageDto {
  @ApiProperty({ type: [SyncRunDto], description: 'Newest first, each as GET /api/tds/sync-runs/:id reports it' })
  items: SyncRunDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
