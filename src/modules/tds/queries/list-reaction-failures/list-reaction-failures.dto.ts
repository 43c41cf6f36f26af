import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';

export class ListReactionFailuresParams {
  @ApiPropertyOptional({ description: 'Only this reaction, e.g. inventory.catalogue' })
  @IsOptional() @IsString() @MaxLength(200) @NoControlCharacters()
  reaction?: string;

  @ApiPropertyOptional({ description: 'Only failures that ran out of attempts' })
  @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean()
  exhausted?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional() @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(500)
  limit?: number;
}

export class ReactionFailureDto {
  @ApiProperty() reaction: string;
  @ApiProperty() eventId: string;
  @ApiProperty() eventType: string;
  @ApiProperty() attempts: number;
  @ApiProperty() lastError: string;
  @ApiProperty({ description: 'When it is retried; meaningless once exhausted' }) nextAttemptAt: string;
  @ApiProperty({ nullable: true, type: String }) exhaustedAt: string | null;
  @ApiProperty() createdAt: string;
}
