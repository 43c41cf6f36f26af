import { ApiProperty } from '@nestjs/swagger';
import type { EntityTypeStatusDto } from '../../tds/public.js';
import { entityState } from '../domain/entity-state.js';
import type { EntityState } from '../domain/entity-state.js';
import type { HealthThresholds } from '../domain/health-state.js';

const ENTITY_STATES: readonly EntityState[] = ['on_time', 'delayed', 'error'];

export class EntityTypeSummaryDto {
  @ApiProperty({ example: 'product' }) entityType: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1200,
    description: 'Records in the mirror, deleted ones left out; null in the dashboard, which leaves the mirror uncounted (GET entities counts it)',
  })
  mirrored: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Minute of the last applied or unchanged item' })
  lastSuccessfulSyncAt: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 12, description: 'Age in seconds of the oldest pending item of the type; null when none is pending' })
  lagSeconds: number | null;
  @ApiProperty({ example: 3, description: 'Queue items waiting: pending or due for a retry' }) pending: number;
  @ApiProperty({ example: 0 }) openDeadLetters: number;
  @ApiProperty({ example: 480 }) applied24h: number;
  @ApiProperty({ example: 2, description: 'Failed attempts in the last 24 h' }) failed24h: number;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, example: 0.996 }) successRate24h: number | null;
  @ApiProperty({ enum: ENTITY_STATES, description: 'error: open dead letters or a low success rate; delayed: lag over the sync_lag threshold' })
  state: EntityState;
}

export class EntityTypeListDto {
  @ApiProperty({ type: [EntityTypeSummaryDto] }) items: EntityTypeSummaryDto[];
}

export function toEntityTypeSummary(status: EntityTypeStatusDto, thresholds: HealthThresholds): EntityTypeSummaryDto {
  const lagSeconds = status.oldestPendingAgeSeconds;
  return {
    entityType: status.entityType,
    mirrored: status.mirrored,
    lastSuccessfulSyncAt: status.lastSuccessAt,
    lagSeconds,
    pending: status.pendingItems,
    openDeadLetters: status.openDeadLetters,
    applied24h: status.applied24h,
    failed24h: status.failed24h,
    successRate24h: status.successRate24h,
    state: entityState({ openDeadLetters: status.openDeadLetters, lagSeconds, successRate24h: status.successRate24h }, thresholds),
  };
}
