import { ApiProperty } from '@nestjs/swagger';
import type { HealthState } from '../../domain/health-state.js';
import { BffAlertDto } from '../../views/alert.dto.js';
import { EntityTypeSummaryDto } from '../../views/entity-type-summary.dto.js';
import { RunSummaryDto } from '../../views/run-summary.dto.js';
import { BffThroughputPointDto } from '../../views/throughput-point.dto.js';

const HEALTH_STATES: readonly HealthState[] = ['healthy', 'degraded', 'critical'];

export class HealthReasonDto {
  @ApiProperty({ example: 'OPEN_DEAD_LETTERS' }) code: string;
  @ApiProperty({ example: '3 dead letters waiting for an operator' }) message: string;
}

export class DashboardHealthDto {
  @ApiProperty({ enum: HEALTH_STATES }) state: HealthState;
  @ApiProperty({
    type: [HealthReasonDto],
    description:
      'Why it is not healthy, critical first. Codes: DATABASE_DOWN, CRITICAL_ALERTS (critical); ACTIVE_ALERTS, OPEN_DEAD_LETTERS, QUEUE_LAG, LOW_SUCCESS_RATE (degraded)',
  })
  reasons: HealthReasonDto[];
}

export class DashboardQueueDto {
  @ApiProperty({ example: 12 }) pending: number;
  @ApiProperty({ example: 250 }) processing: number;
  @ApiProperty({ example: 3 }) retry: number;
  @ApiProperty({ example: 1, description: 'Open dead letters' }) deadLetters: number;
  @ApiProperty({ type: Number, nullable: true, example: 4.2 }) oldestPendingAgeSeconds: number | null;
}

export class ThroughputWindowDto {
  @ApiProperty() received: number;
  @ApiProperty() applied: number;
  @ApiProperty({ description: 'Failed attempts' }) failed: number;
  @ApiProperty({ type: [BffThroughputPointDto], description: 'One point per minute, oldest first' }) perMinute: BffThroughputPointDto[];
}

export class DashboardThroughputDto {
  @ApiProperty({ type: ThroughputWindowDto, description: '5 points' }) last5m: ThroughputWindowDto;
  @ApiProperty({ type: ThroughputWindowDto, description: '60 points' }) last1h: ThroughputWindowDto;
}

export class DashboardDto {
  @ApiProperty({ format: 'date-time', description: 'When the figures were read (the database clock)' }) generatedAt: string;
  @ApiProperty({ type: DashboardHealthDto }) health: DashboardHealthDto;
  @ApiProperty({ type: DashboardQueueDto }) queue: DashboardQueueDto;
  @ApiProperty({ type: DashboardThroughputDto }) throughput: DashboardThroughputDto;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, description: 'Applied, unchanged and superseded over every outcome of the last 24 h' })
  successRate24h: number | null;
  @ApiProperty({ type: [RunSummaryDto], description: 'The 5 newest runs' }) recentRuns: RunSummaryDto[];
  @ApiProperty({ type: [BffAlertDto], description: 'The 10 newest open alerts (active or acknowledged)' }) activeAlerts: BffAlertDto[];
  @ApiProperty({ type: [EntityTypeSummaryDto] }) entityTypes: EntityTypeSummaryDto[];
}
