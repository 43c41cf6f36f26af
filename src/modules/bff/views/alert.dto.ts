import { ApiProperty } from '@nestjs/swagger';
import { ALERT_SEVERITIES } from '../../../shared/config/alerts.config.js';
import type { AlertSeverity } from '../../../shared/config/alerts.config.js';
import type { AlertStatus, AlertView } from '../../tds/public.js';

export class BffAlertDto {
  @ApiProperty({ example: 7 }) id: number;
  @ApiProperty({ example: 'queue_backlog' }) rule: string;
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity: AlertSeverity;
  @ApiProperty({ example: 'Queue backlog' }) title: string;
  @ApiProperty({ example: '12000 items waiting (threshold 10000)' }) message: string;
  @ApiProperty({ type: String, nullable: true, example: 'invoice' }) entityType: string | null;
  @ApiProperty({ enum: ['active', 'acknowledged', 'resolved'] }) status: AlertStatus;
  @ApiProperty({ format: 'date-time' }) triggeredAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'operator:3f9a1c2b7d4e' }) acknowledgedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
}

export class BffAlertPageDto {
  @ApiProperty({ type: [BffAlertDto], description: 'Newest first' }) items: BffAlertDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
}

export function toAlert(alert: AlertView): BffAlertDto {
  return {
    id: alert.id,
    rule: alert.rule,
    severity: alert.severity,
    title: alert.title,
    message: alert.message,
    entityType: alert.entityType,
    status: alert.status,
    triggeredAt: alert.triggeredAt,
    acknowledgedAt: alert.acknowledgedAt,
    acknowledgedBy: alert.acknowledgedBy,
    resolvedAt: alert.resolvedAt,
  };
}
