import { ApiProperty } from '@nestjs/swagger';

export class ReindexAllResponseDto {
  @ApiProperty({ description: 'Mirror records read (deleted ones included)', example: 1520 }) scanned: number;
  @ApiProperty({ description: 'Documents written', example: 1497 }) indexed: number;
  @ApiProperty({ description: 'Tombstones written for records deleted in the mirror', example: 23 }) removed: number;
  @ApiProperty({ description: 'Pages read, each written in its own transaction', example: 4 }) pages: number;
}
