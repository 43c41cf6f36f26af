import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateBy } from 'class-validator';
import { NoControlCharacters } from '../../../../shared/validation/control-characters.js';
import { ValidateNestedArray } from '../../../../shared/validation/validate-plain.js';
import { DEFAULT_PRIORITY, OPERATIONS } from '../../domain/queue-item.js';
import { parseVersion } from '../../domain/version.js';
import { ENTITY_TYPES } from '../../processors/entity-processor.registry.js';

export const MAX_ITEMS = 1000;
export const DEFAULT_SOURCE = 'zoho';

/** A version as parseVersion takes it; its message says what is wrong. */
function IsVersion(): PropertyDecorator {
  return ValidateBy({
    name: 'isVersion',
    validator: {
      validate: (value) => parseVersion(value).ok,
      defaultMessage: (args) => {
        const result = parseVersion(args?.value);
        return result.ok ? '' : result.message;
      },
    },
  });
}

/**
 * The item envelope. Its `payload` is only checked to be an object here: its contents belong
 * to the entity type's processor, and fields unknown to it are kept, never refused.
 */
export class EnqueueItemDto {
  @ApiProperty({ enum: ENTITY_TYPES, example: 'product' })
  @IsIn(ENTITY_TYPES, { message: `entityType must be a known entity type: ${ENTITY_TYPES.join(', ')}` })
  entityType: string;

  @ApiProperty({
    description: "The record's id at the source; for a stock level `<item_id>:<warehouse_id>`. Must equal the payload's id field.",
    example: '4815000000044208',
    minLength: 1,
    maxLength: 200,
  })
  @IsString()
  @Length(1, 200, { message: 'sourceEntityId must be 1-200 characters' })
  @NoControlCharacters()
  sourceEntityId: string;

  @ApiProperty({ enum: OPERATIONS })
  @IsIn(OPERATIONS)
  operation: (typeof OPERATIONS)[number];

  @ApiProperty({
    oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\d+$' }, { type: 'string', format: 'date-time' }],
    description: 'A non-negative integer, or an ISO-8601 timestamp with a zone (Zoho\'s last_modified_time) taken as epoch milliseconds',
    example: '2025-11-18T02:02:51+0300',
  })
  @IsVersion()
  version: number | string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10, default: DEFAULT_PRIORITY, description: 'Higher is claimed first' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "The record with Zoho's field names (an item, a contact, an invoice, a sales order, a price book, a warehouse stock level). " +
      'Validated by the entity type; extra fields are kept as sent. A delete needs only the id field(s).',
    example: { item_id: '4815000000044208', name: 'Laptop-white/15inch/dell', sku: 'LAP-WH-15', rate: 122, unit: 'qty', status: 'active' },
  })
  @IsObject()
  payload: Record<string, unknown>;
}

export class EnqueueItemsRequestDto {
  @ApiPropertyOptional({ default: DEFAULT_SOURCE, description: 'Lowercase source name', example: DEFAULT_SOURCE, pattern: '^[a-z][a-z0-9_-]{0,49}$' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_-]{0,49}$/, { message: 'source must be a lowercase name: a-z first, then a-z 0-9 _ - (at most 50)' })
  source?: string;

  @ApiProperty({ type: [EnqueueItemDto], minItems: 1, maxItems: MAX_ITEMS })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ITEMS)
  @ValidateNestedArray(() => EnqueueItemDto)
  items: EnqueueItemDto[];
}

export class EnqueueItemsResponseDto {
  @ApiProperty({ description: 'The bulk sync run the items belong to', example: 17 })
  syncRunId: number;

  @ApiProperty({ type: [Number], description: 'Queue item ids, in the order of the request items', example: [101, 102] })
  queueItemIds: number[];
}
