import { ApiProperty } from '@nestjs/swagger';
import type { ThroughputPoint } from '../../tds/public.js';

export class BffThroughputPointDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the step' }) at: string;
  @ApiProperty({ example: 120 }) received: number;
  @ApiProperty({ example: 110 }) applied: number;
  @ApiProperty({ example: 6 }) unchanged: number;
  @ApiProperty({ example: 2 }) superseded: number;
  @ApiProperty({ example: 2, description: 'Failed attempts' }) failed: number;
  @ApiProperty({ example: 1 }) deadLettered: number;
  @ApiProperty({ type: Number, nullable: true, example: 850, description: 'Mean enqueue-to-apply latency; null when nothing was applied' })
  avgLatencyMs: number | null;
}

export function toThroughputPoint(point: ThroughputPoint): BffThroughputPointDto {
  return {
    at: point.at,
    received: point.received,
    applied: point.applied,
    unchanged: point.unchanged,
    superseded: point.superseded,
    failed: point.failed,
    deadLettered: point.deadLettered,
    avgLatencyMs: point.avgLatencyMs,
  };
}
