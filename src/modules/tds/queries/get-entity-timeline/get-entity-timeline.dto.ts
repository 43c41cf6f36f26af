import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';
import { ENTITY_TYPES } from '../../processors/entity-processor.registry.js';
import { DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT } from './get-entity-timeline.handler.js';
import { TIMELINE_EVENT_KINDS } from './get-entity-timeline.query.js';
import type { EntityTimeline, TimelineEvent, TimelineEventKind } from './get-entity-timeline.query.js';

export class EntityTimelineParamsDto {
  @ApiProperty({ enum: ENTITY_TYPES, example: 'product' })
  @IsIn(ENTITY_TYPES, { message: `entityType must be a known entity type: ${ENTITY_TYPES.join(', ')}` })
  entityType: string;

  @ApiProperty({ description: "The record's id at the source", example: '4815000000044208', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200, { message: 'sourceEntityId must be 1-200 characters' })
  @NoControlCharacters()
  sourceEntityId: string;
}

export class EntityTimelineQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TIMELINE_LIMIT, default: DEFAULT_TIMELINE_LIMIT, description: 'Newest events kept' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_TIMELINE_LIMIT)
  limit?: number;
}

export class TdsTimelineEventDto implements TimelineEvent {
  @ApiProperty({ format: 'date-time', example: '2025-11-18T08:15:02.481Z' }) at: string;
  @ApiProperty({ enum: TIMELINE_EVENT_KINDS, example: 'attempt_failed' }) kind: TimelineEventKind;
  @ApiProperty({ type: Number, nullable: true, description: "The record's version the event concerns", example: 1763420571000 })
  version: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    description: 'The ids it concerns, those that apply: inboxEventId, queueItemId, deadLetterId, syncRunId, attempt',
    example: { queueItemId: 1042, attempt: 1 },
  })
  refs: Record<string, string | number>;
  @ApiProperty({ type: String, nullable: true, example: 'TRANSIENT_DB' }) errorCode: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The error for failures (a delivery_invalid lists its field errors); the note, or who, for operator actions',
    example: 'could not serialize access due to concurrent update',
  })
  message: string | null;
}

export class MirroredRecordDto {
  @ApiProperty({ example: 'zoho' }) source: string;
  @ApiProperty({ example: 1763420571000 }) version: number;
  @ApiProperty({ example: false }) deleted: boolean;
  @ApiProperty({ example: '6f1ed002ab5595859014ebf0951522d9' }) contentHash: string;
  @ApiProperty({ format: 'date-time', example: '2025-11-18T08:15:03.120Z' }) syncedAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { item_id: '4815000000044208', name: 'Bolt M8', rate: 1.5 } })
  data: Record<string, unknown>;
}

export class TdsEntityTimelineDto implements EntityTimeline {
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({ example: '4815000000044208' }) sourceEntityId: string;
  @ApiProperty({ type: MirroredRecordDto, nullable: true, description: 'The mirrored row now; null when no version was ever applied' })
  current: MirroredRecordDto | null;
  @ApiProperty({ type: [TdsTimelineEventDto], description: 'Newest first, at most `limit`' })
  events: TdsTimelineEventDto[];
}
