import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiProperty, ApiPropertyOptional, ApiResponse, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsObject,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ListDeadLettersParamsDto } from '../../queries/list-dead-letters/list-dead-letters.dto.js';

/** Dead letters one call replays, by ids or by filter: one run, one transaction of bounded size. */
export const MAX_REPLAY_BATCH = 1000;

/** The dead-letter list's own filters (same rules), picked: a replay by filter takes what the list shows. */
export class ReplayFilterDto extends PickType(ListDeadLettersParamsDto, ['entityType', 'errorCode'] as const) {}

/**
 * Reported on `ids`, the form most callers use, whenever the body holds both forms or neither:
 * which of the two was meant cannot be guessed.
 */
const ExactlyOneOfIdsAndFilter = () =>
  ValidateBy({
    name: 'exactlyOneOfIdsAndFilter',
    validator: {
      validate: (_value, args) => {
        const body = args?.object as ReplayDeadLettersDto;
        return (body.ids === undefined) !== (body.filter === undefined);
      },
      defaultMessage: () => 'exactly one of ids and filter must be given',
    },
  });

export class ReplayDeadLettersDto {
  @ApiPropertyOptional({ type: [Number], minItems: 1, maxItems: MAX_REPLAY_BATCH, description: 'Dead letter ids; or give filter' })
  @ValidateIf((body: ReplayDeadLettersDto) => body.ids !== undefined || body.filter === undefined)
  @ExactlyOneOfIdsAndFilter()
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_REPLAY_BATCH)
  // Ids are bigint identities: an integer beyond JS's exact range would fail in PostgreSQL, a 500.
  @IsInt({ each: true }) @Min(1, { each: true }) @Max(Number.MAX_SAFE_INTEGER, { each: true })
  ids?: number[];

  @ApiPropertyOptional({
    type: ReplayFilterDto,
    description: `Replay the oldest open dead letters matching it, at most ${MAX_REPLAY_BATCH} per call ({} matches every open one); or give ids`,
  })
  @ValidateIf((body: ReplayDeadLettersDto) => body.filter !== undefined)
  @IsObject() @ValidateNested() @Type(() => ReplayFilterDto)
  filter?: ReplayFilterDto;
}

export class ReplayDeadLettersResponseDto {
  @ApiProperty({ type: Number, nullable: true, description: 'The replay run; null when nothing was replayed' })
  syncRunId: number | null;

  @ApiProperty({ description: 'Dead letters queued again' })
  replayed: number;

  @ApiProperty({ type: [Number], description: 'Ids not replayed: unknown, resolved, replayed already, or being replayed or resolved right now' })
  skipped: number[];

  @ApiProperty({ description: 'By filter: more open dead letters match than one call replays (call again). Always false by ids' })
  more: boolean;
}

/** The request's two forms with examples, the answer and its refusal, in the OpenAPI document of each bulk-replay route (TDS and BFF). */
export const ReplayDeadLettersDocs = () =>
  applyDecorators(
    ApiBody({
      type: ReplayDeadLettersDto,
      examples: {
        byIds: { summary: 'These dead letters', value: { ids: [41, 42] } },
        byFilter: { summary: 'The open ones matching a filter', value: { filter: { entityType: 'product', errorCode: 'VALIDATION_FAILED' } } },
      },
    }),
    ApiResponse({ status: 202, type: ReplayDeadLettersResponseDto }),
    ApiResponse({ status: 422, description: 'VALIDATION_FAILED: both or neither of ids and filter, or a malformed one' }),
  );
