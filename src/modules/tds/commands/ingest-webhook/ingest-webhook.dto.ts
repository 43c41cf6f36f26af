import { ApiProperty } from '@nestjs/swagger';

export class WebhookAcceptedDto {
  @ApiProperty({ enum: [true] }) accepted: true;
  @ApiProperty({ description: 'The inbox event that records the delivery (GET /api/tds/inbox/{id})', example: 42 }) inboxId: number;
  @ApiProperty({
    type: [Number],
    description: 'The queue items it became: the record, plus one stock level per warehouse for an item',
    example: [101, 102, 103],
  })
  queueItemIds: number[];
}

export class WebhookDuplicateDto {
  @ApiProperty({ enum: [true] }) duplicate: true;
  @ApiProperty({ description: 'The inbox event of the first delivery', example: 42 }) inboxId: number;
}
