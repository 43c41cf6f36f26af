import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ALERT_SEVERITIES } from '../../../../shared/config/alerts.config.js';
import type { AlertSeverity } from '../../../../shared/config/alerts.config.js';
import { OptionalTextFilter } from '../../../../shared/validation/text-filter.decorator.js';
import type { AlertStatus } from '../../alerts/alert-view.js';
import { KeysetPageQueryDto } from '../../../../shared/pagination/keyset-page-query.dto.js';

/** The stored statuses only: the query's `open` shortcut is for the BFF, not part of this route's contract. */
const ALERT_STATUSES: readonly AlertStatus[] = ['active', 'acknowledged', 'resolved'];

export class ListAlertsParamsDto extends KeysetPageQueryDto {
  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES)
  severity?: AlertSeverity;

  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  @ApiPropertyOptional({ description: 'Only alerts about this entity type', example: 'invoice' })
  @OptionalTextFilter(100)
  entityType?: string;

}

export class AlertDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'queue_backlog' }) rule: string;
  @ApiProperty({ description: 'The rule and what it is about: one open alert per fingerprint', example: 'failure_rate:invoice' }) fingerprint: string;
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity: AlertSeverity;
  @ApiProperty() title: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: String, nullable: true }) entityType: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'What the rule measured when it last found the condition' })
  actual: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) threshold: Record<string, unknown> | null;
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
  @ApiProperty({ format: 'date-time' }) triggeredAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastNotifiedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Who acknowledged: role and API key id' }) acknowledgedBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertDto], description: 'Newest first' })
  items: AlertDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
