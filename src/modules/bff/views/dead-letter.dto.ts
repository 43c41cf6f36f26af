import { ApiProperty } from '@nestjs/swagger';
import type { DeadLetterDto } from '../../tds/public.js';

const DEAD_LETTER_STATES = ['open', 'resolved', 'replayed'] as const;

export class BffDeadLetterDto {
  @ApiProperty({ example: 41 }) id: number;
  @ApiProperty({ example: 1042 }) queueItemId: number;
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({ example: '4815000000044208' }) sourceEntityId: string;
  @ApiProperty({ example: 'VALIDATION_FAILED' }) errorCode: string;
  @ApiProperty({ example: 'sku must be a string' }) failureReason: string;
  @ApiProperty({ example: 5 }) attempts: number;
  @ApiProperty({ enum: DEAD_LETTER_STATES }) state: (typeof DEAD_LETTER_STATES)[number];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) resolvedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) resolutionNote: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) replayedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) replayedBy: string | null;
  @ApiProperty({ type: Number, nullable: true }) replayQueueItemId: number | null;
}

export class BffDeadLetterPageDto {
  @ApiProperty({ type: [BffDeadLetterDto], description: 'Newest first' }) items: BffDeadLetterDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}

export function toDeadLetter(letter: DeadLetterDto): BffDeadLetterDto {
  const state = letter.replayedAt !== null ? 'replayed' : letter.resolvedAt !== null ? 'resolved' : 'open';
  return {
    id: letter.id,
    queueItemId: letter.queueItemId,
    entityType: letter.entityType,
    sourceEntityId: letter.sourceEntityId,
    errorCode: letter.errorCode,
    failureReason: letter.failureReason,
    attempts: letter.attempts,
    state,
    createdAt: letter.createdAt,
    resolvedAt: letter.resolvedAt,
    resolvedBy: letter.resolvedBy,
    resolutionNote: letter.resolutionNote,
    replayedAt: letter.replayedAt,
    replayedBy: letter.replayedBy,
    replayQueueItemId: letter.replayQueueItemId,
  };
}
