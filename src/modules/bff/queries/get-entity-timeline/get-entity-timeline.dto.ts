import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';
import { TIMELINE_EVENT_KINDS } from '../../../tds/public.js';

export const MAX_TIMELINE_EVENTS = 500;
export const DEFAULT_TIMELINE_EVENTS = 100;

export class EntityTimelineParamsDto {
  @ApiProperty({ example: 'product' })
  @IsString() @Length(1, 100) @NoControlCharacters()
  entityType: string;

  @ApiProperty({ example: '4815000000044208' })
  @IsString() @Length(1, 200) @NoControlCharacters()
  sourceEntityId: string;
}

export class EntityTimelineQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TIMELINE_EVENTS, default: DEFAULT_TIMELINE_EVENTS, description: 'Newest events kept' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_TIMELINE_EVENTS)
  limit?: number;
}

export class TimelineCurrentDto {
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty() deleted: boolean;
  @ApiProperty({ format: 'date-time' }) syncedAt: string;
  @ApiProperty({ example: '9f2c…' }) contentHash: string;
}

export class TimelineEventDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: TIMELINE_EVENT_KINDS }) kind: string;
  @ApiProperty({ example: 'Applied version 3' }) title: string;
  @ApiProperty({ type: Number, nullable: true }) version: number | null;
  @ApiProperty({ type: String, nullable: true }) errorCode: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The error text, or the note or actor of an operator action' }) message: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The ids it concerns: inboxEventId, queueItemId, deadLetterId, syncRunId, attempt, reaction',
    example: { queueItemId: 1042, syncRunId: 17 },
  })
  refs: Record<string, string | number>;
}

export class EntityTimelineDto {
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({ example: '4815000000044208' }) sourceEntityId: string;
  @ApiProperty({ type: TimelineCurrentDto, nullable: true, description: 'The mirrored row now; null when never applied' }) current: TimelineCurrentDto | null;
  @ApiProperty({ type: [TimelineEventDto], description: 'Newest first' }) events: TimelineEventDto[];
}
