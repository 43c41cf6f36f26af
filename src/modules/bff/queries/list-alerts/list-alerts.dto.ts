import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ListAlertsParamsDto } from '../../../tds/public.js';

const ALERT_STATUS_FILTERS = ['active', 'acknowledged', 'resolved', 'open'] as const;

/** TDS's alert filters (and their rules), with the `open` shortcut the dashboard's list needs. */
export class BffListAlertsParamsDto extends OmitType(ListAlertsParamsDto, ['status'] as const) {
  @ApiPropertyOptional({ enum: ALERT_STATUS_FILTERS, description: 'open: active or acknowledged' })
  @IsOptional()
  @IsIn(ALERT_STATUS_FILTERS)
  status?: (typeof ALERT_STATUS_FILTERS)[number];
}
