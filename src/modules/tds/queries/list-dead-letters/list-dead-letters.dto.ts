import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { KeysetPageQueryDto } from '../../../../shared/pagination/keyset-page-query.dto.js';
import { OptionalTextFilter } from '../../../../shared/validation/text-filter.decorator.js';

/** `true`/`false` as query strings carry them; anything else is left for @IsBoolean to refuse. */
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListDeadLettersParamsDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({ example: 'product' })
  @OptionalTextFilter(200)
  entityType?: string;

  @ApiPropertyOptional({ example: 'VALIDATION_FAILED' })
  @OptionalTextFilter(200)
  errorCode?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true: only closed ones (resolved or replayed); false: only open ones' })
  @IsOptional() @Transform(toBoolean) @IsBoolean()
  resolved?: boolean;
}

export class DeadLetterDto {
  @ApiProperty() id: number;
  @ApiProperty({ description: 'The queue item that was dead-lettered' }) queueItemId: number;
  @ApiProperty() entityType: string;
  @ApiProperty() sourceEntityId: string;
  @ApiProperty() errorCode: string;
  @ApiProperty() failureReason: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) resolvedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) resolvedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) resolutionNote: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) replayedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) replayedBy: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The queue item that replays it' }) replayQueueItemId: number | null;
}

export class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterDto], description: 'Newest first' })
  items: DeadLetterDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
