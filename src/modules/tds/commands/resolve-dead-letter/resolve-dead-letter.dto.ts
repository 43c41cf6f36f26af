import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';

export class ResolveDeadLetterDto {
  @ApiProperty({ description: 'Why the dead letter is closed without replay', example: 'duplicate of SKU-42, fixed in Zoho' })
  @IsString()
  @Length(1, 2000)
  @NoControlCharacters('free-text')
  note!: string;
}

export class ResolveDeadLetterResponseDto {
  @ApiProperty() deadLetterId!: number;
  @ApiProperty({ format: 'date-time' }) resolvedAt!: string;
  @ApiProperty({ example: 'operator:3f9a1c2b7d4e' }) resolvedBy!: string;
  @ApiProperty() note!: string;
}
